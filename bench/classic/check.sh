#!/bin/bash
# Classic keepalived check: PostgreSQL's port accepts a TCP connection.
exec timeout 1 bash -c '</dev/tcp/127.0.0.1/5432' 2>/dev/null
