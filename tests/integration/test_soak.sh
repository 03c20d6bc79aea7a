#!/usr/bin/env bash
# A short soak inside make test (SOAK_TEST_SECONDS, default 60); make soak
# runs the long one. See tests/soak.sh.
SOAK_SECONDS=${SOAK_TEST_SECONDS:-60} exec bash "$(dirname "$0")/../soak.sh"
