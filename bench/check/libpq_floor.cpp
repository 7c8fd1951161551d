// The floor of any libpq health check, for bench/check: with no argument it only starts (the
// dynamic loader maps libpq and its ~25 libraries, then main returns); with a conninfo it opens
// one session and closes it, as `pg_isready -U` and `pgfo check` do. Exit 0 when connected.
#include <libpq-fe.h>

int main(int argc, char** argv)
{
    if (argc < 2)
        return PQlibVersion() > 0 ? 0 : 1;
    PGconn* conn = PQconnectdb(argv[1]);
    const bool connected = PQstatus(conn) == CONNECTION_OK;
    PQfinish(conn);
    return connected ? 0 : 1;
}
