"""multiprocessing.Pool(2) mapping a no-op over N items with a chunk size.
Prints the seconds from creating the pool to the last result."""
import multiprocessing as mp
import sys
import time


def noop(item):
    return item


if __name__ == "__main__":
    n, chunk = int(sys.argv[1]), int(sys.argv[2])
    start = time.perf_counter()
    with mp.Pool(2) as pool:
        for _ in pool.imap_unordered(noop, range(n), chunksize=chunk):
            pass
    print(f"{time.perf_counter() - start:.3f}")
