#include "util/error.hpp"

namespace pgfo {

int exit_code(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::failed: return 1;
    case ErrorKind::usage: return 2;
    case ErrorKind::config: return 2;
    case ErrorKind::refused: return 3;
    case ErrorKind::timeout: return 4;
    }
    return 1;
}

}  // namespace pgfo
