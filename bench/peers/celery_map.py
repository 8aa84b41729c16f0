"""Celery 5 over Redis: N no-op tasks through a worker of 2 processes.
Usage: celery_map.py N REDIS_URL. Prints the seconds from the first send to
the last result (the worker's start is not counted)."""
import os
import subprocess
import sys
import time

from celery import Celery

# The worker gets the URL from its environment, the submitting process from its arguments.
URL = os.environ.get("PEER_REDIS") or (sys.argv[2] if __name__ == "__main__" and len(sys.argv) > 2 else "redis://")
app = Celery("peer", broker=URL, backend=URL)


@app.task(name="ramify_bench.noop")
def noop(item):
    return item


if __name__ == "__main__":
    n, url = int(sys.argv[1]), sys.argv[2]
    env = dict(os.environ, PEER_REDIS=url, PYTHONPATH=os.path.dirname(os.path.abspath(__file__)))
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "celery_map", "worker", "-c", "2", "-P", "prefork",
                               "--loglevel", "ERROR", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                              env=env, cwd=os.path.dirname(os.path.abspath(__file__)),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        noop.delay(0).get(timeout=120)  # the worker is up
        start = time.perf_counter()
        results = [noop.delay(i) for i in range(n)]
        for r in results:
            r.get(timeout=600)
        print(f"{time.perf_counter() - start:.3f}")
    finally:
        worker.terminate()
        worker.wait()
