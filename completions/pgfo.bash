# bash completion for pgfo(1); installed as share/bash-completion/completions/pgfo.
# Plain bash (compgen), no dependency on the bash-completion package's helpers.
# tests/unit/cli/completion_test.cpp checks it against `pgfo --help`.

_pgfo_words()
{
    COMPREPLY=($(compgen -W "$1" -- "$2"))
}

_pgfo_files()
{
    local IFS=$'\n'
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$1"))
}

_pgfo()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

    local global_options='-c --config --dry-run -v --verbose -q --quiet -h --help --version'
    local commands='notify check promote demote status log pause resume config alert'

    # --config=FILE: bash splits it into "--config" "=" "FILE".
    if [[ $cur == = && ${COMP_WORDS[COMP_CWORD - 1]} == --config ]]; then
        _pgfo_files ""
        return
    fi
    if [[ $prev == = ]] && ((COMP_CWORD >= 2)) && [[ ${COMP_WORDS[COMP_CWORD - 2]} == --config ]]; then
        _pgfo_files "$cur"
        return
    fi

    # The command and its position, skipping global options and -c's argument.
    local i=1 command= command_at=0
    while ((i < COMP_CWORD)); do
        case ${COMP_WORDS[i]} in
        -c | --config)
            [[ ${COMP_WORDS[i + 1]} == = ]] && ((i++))
            ((i += 2))
            continue
            ;;
        --config=* | -c?*) ;;
        =) ;;
        -*) ;;
        *)
            command=${COMP_WORDS[i]}
            command_at=$i
            break
            ;;
        esac
        ((i++))
    done

    if [[ -z $command ]]; then
        case $prev in
        -c | --config) _pgfo_files "$cur" ;;
        *)
            if [[ $cur == -* ]]; then
                _pgfo_words "$global_options" "$cur"
            else
                _pgfo_words "$commands" "$cur"
            fi
            ;;
        esac
        return
    fi

    # Words after the command that are not options: positional arguments.
    local -a args=()
    local j
    for ((j = command_at + 1; j < COMP_CWORD; j++)); do
        [[ ${COMP_WORDS[j]} == -* ]] || args+=("${COMP_WORDS[j]}")
    done

    case $command in
    notify)
        [[ $cur == -* ]] && { _pgfo_words "-h --help" "$cur"; return; }
        case ${#args[@]} in
        0) _pgfo_words "INSTANCE GROUP" "$cur" ;;
        2) _pgfo_words "MASTER BACKUP FAULT STOP DELETED" "$cur" ;;
        *) COMPREPLY=() ;;
        esac
        ;;
    check | resume)
        _pgfo_words "-h --help" "$cur"
        ;;
    promote)
        _pgfo_words "--force -h --help" "$cur"
        ;;
    demote)
        [[ $prev == --primary ]] && { COMPREPLY=(); return; }
        _pgfo_words "--primary -h --help" "$cur"
        ;;
    status)
        _pgfo_words "--json -h --help" "$cur"
        ;;
    log)
        case $prev in
        --level) _pgfo_words "debug info warn error" "$cur" ;;
        --event) _pgfo_words "notify check plan promote demote fence rewind basebackup configure_standby start_standby wait_for_primary transition refused superseded alert lock pause resume" "$cur" ;;
        -n | --lines | --since | --tx) COMPREPLY=() ;;
        *) _pgfo_words "-n --lines --since --event --level --tx --json -f --follow -h --help" "$cur" ;;
        esac
        ;;
    pause)
        [[ $prev == --reason ]] && { COMPREPLY=(); return; }
        _pgfo_words "--reason -h --help" "$cur"
        ;;
    config)
        if ((${#args[@]} == 0)); then
            [[ $cur == -* ]] && _pgfo_words "-h --help" "$cur" || _pgfo_words "check" "$cur"
        else
            _pgfo_words "--connect -h --help" "$cur"
        fi
        ;;
    alert)
        if ((${#args[@]} == 0)); then
            [[ $cur == -* ]] && _pgfo_words "-h --help" "$cur" || _pgfo_words "test" "$cur"
        else
            _pgfo_words "-h --help" "$cur"
        fi
        ;;
    esac
}

complete -F _pgfo pgfo
