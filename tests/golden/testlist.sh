# testlist.sh: sourced by tests/e2e/golden_output.sh (the runner) and
# tests/golden/regen.sh (which writes the expected files). One test per line of
# tests/golden/TESTLIST:
#   NAME  ARGUMENTS...
# NAME names the expected output tests/golden/output/NAME.out; ARGUMENTS are
# given to `tshoot` as they are (paths relative to the top of the tree). The
# expected file holds the command's standard output, then a last line
# "exit N" with its exit status; standard error is not compared.
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
TESTLIST=tests/golden/TESTLIST
OUTDIR=tests/golden/output
[ -x "$TSHOOT" ] || { echo "golden: no tshoot binary at $TSHOOT" >&2; exit 1; }

# testlist_next: reads the next test line from standard input into $name,
# $args and $expected, skipping comments and blank lines; 1 at the end.
testlist_next() {
    while read -r name args; do
        case $name in '#'*|'') continue ;; esac
        expected=$OUTDIR/$name.out
        return 0
    done
    return 1
}

# testlist_run: runs the current test and prints its output and "exit N".
testlist_run() {
    # shellcheck disable=SC2086 # the arguments are split as written in the list
    "$TSHOOT" $args </dev/null
    echo "exit $?"
}
