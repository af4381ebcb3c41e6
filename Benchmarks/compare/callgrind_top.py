"""Sums a callgrind profile by function symbol (across the source files inlined code is attributed to),
demangles the Swift names, and prints the top functions by self and by inclusive instruction count.

    callgrind_top.py FILE [TOP] [ITERATIONS]
"""
import collections
import re
import subprocess
import sys


def annotate(path, inclusive):
    output = subprocess.run(
        ["callgrind_annotate", "--inclusive=%s" % ("yes" if inclusive else "no"), "--threshold=100", "--auto=no", path],
        capture_output=True, text=True, check=True).stdout
    totals = collections.Counter()
    program = None
    for line in output.splitlines():
        match = re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$", line)
        if not match or "=>" in line:
            continue
        count = int(match.group(1).replace(",", ""))
        where = match.group(2)
        if where == "PROGRAM TOTALS":
            program = count
            continue
        where = re.sub(r"\s+\[[^\]]*\]$", "", where)  # the object file
        symbol = where.split(":", 1)[1] if ":" in where else where
        symbol = re.sub(r"'\d+$", "", symbol)  # recursion levels
        totals[symbol] += count if not inclusive else 0
        if inclusive:
            totals[symbol] = max(totals[symbol], count)
    return program, totals


def demangle(symbols):
    result = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(symbols),
                            capture_output=True, text=True)
    names = result.stdout.splitlines()
    return names if len(names) == len(symbols) else symbols


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    for inclusive in (False, True):
        program, totals = annotate(path, inclusive)
        print("%s instructions: %s in all, %s per iteration" % (
            "Inclusive" if inclusive else "Self", format(program, ","), format(program // iterations, ",")))
        best = totals.most_common(top)
        names = demangle([symbol for symbol, _ in best])
        for (symbol, count), name in zip(best, names):
            print("%6.2f%%  %s" % (100.0 * count / program, name[:160]))
        print()


if __name__ == "__main__":
    main()
