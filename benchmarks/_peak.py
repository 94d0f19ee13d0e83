"""Run a command and report its peak RSS: `python _peak.py CMD ARGS…`; the last stderr line is PEAK_RSS_KIB=<n>.

A fresh process per measurement, because RUSAGE_CHILDREN is a running maximum over every child a process ever
reaped; the command's own children (dbt under a build) count once the command has reaped them.
"""

import resource
import subprocess
import sys

status = subprocess.run(sys.argv[1:]).returncode
print(f"PEAK_RSS_KIB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
sys.exit(status)
