"""The seed notebook's interactions transform, with pandas, as the baseline for our transform.

    python3 bench/pandas_transform.py --input u.data --format 100k --threshold 3.6 --shift 660833618 --output out.csv

Prints one JSON line: rows read, rows written, seconds, peak RSS in bytes.
"""
import argparse
import json
import resource
import time

import pandas as pd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--format", choices=["100k", "latest"], required=True)
    parser.add_argument("--threshold", type=float, default=3.6)
    parser.add_argument("--shift", type=int, required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    started = time.perf_counter()
    if args.format == "100k":
        # As in the notebook: u.data is tab-separated without a header.
        data = pd.read_csv(args.input, sep="\t", names=["USER_ID", "ITEM_ID", "RATING", "TIMESTAMP"])
    else:
        data = pd.read_csv(args.input)
        data.columns = ["USER_ID", "ITEM_ID", "RATING", "TIMESTAMP"]
    rows_read = len(data)
    data = data[data["RATING"] > args.threshold]  # keep movies rated higher than the threshold
    data["TIMESTAMP"] = data["TIMESTAMP"] + args.shift  # move the reviews forward in time
    # The kit's interactions schema adds two columns to the notebook's three: each positive rating
    # is a "rating" event valued by its stars (what the web app's PutEvents sends too).
    data["EVENT_TYPE"] = "rating"
    data["EVENT_VALUE"] = data["RATING"]
    data = data[["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]]  # the schema's columns
    data.to_csv(args.output, index=False)
    seconds = time.perf_counter() - started
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(json.dumps({"rowsRead": rows_read, "rowsWritten": len(data), "seconds": seconds, "peakRssBytes": peak_rss}))


if __name__ == "__main__":
    main()
