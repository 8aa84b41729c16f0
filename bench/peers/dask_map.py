"""Dask distributed (a LocalCluster of 2 worker processes) mapping a no-op over
N items. Prints the seconds from submitting to the last result (the cluster's
start is not counted)."""
import sys
import time


def noop(item):
    return item


if __name__ == "__main__":
    import logging
    logging.disable(logging.WARNING)
    from distributed import Client, LocalCluster
    n = int(sys.argv[1])
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        start = time.perf_counter()
        futures = client.map(noop, range(n), pure=False)
        client.gather(futures)
        print(f"{time.perf_counter() - start:.3f}")
