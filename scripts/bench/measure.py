# Runs a command and prints one JSON line with its wall time, user+sys CPU seconds and peak RSS (of the command
# and everything it started), measured the same way for every client the upload benchmark compares.
import json, resource, subprocess, sys, time

cmd = sys.argv[1:]
t0 = time.perf_counter()
proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "code": proc.returncode,
    "wall": wall,
    "user": ru.ru_utime,
    "sys": ru.ru_stime,
    "maxrssMiB": ru.ru_maxrss / 1024,
    "stdout": proc.stdout.decode("utf-8", "replace")[-4000:],
    "stderr": proc.stderr.decode("utf-8", "replace")[-2000:],
}))
