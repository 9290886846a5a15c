"""`assistant index PATH...`: index documents into a library (incremental), with a progress bar."""
from __future__ import annotations

import sys
from pathlib import Path

from .common import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, emit_json, settings_from


def run(args) -> int:
    from ..app import Assistant

    s = settings_from(args)
    report = Assistant(s).index(args.paths, collection=args.collection, progress=not args.quiet, workers=args.workers,
                                engine=args.engine, ray_address=args.address, include_readme=args.include_readme)
    if args.json:
        emit_json(report.to_json())
    else:
        print(f"indexed {len(report.indexed)}, unchanged {len(report.unchanged)}, removed {len(report.removed)}, "
              f"failed {len(report.failed)}; {report.chunks} chunks in {s.index_dir} ({report.seconds:.1f} s)")
        for f in report.failed:
            print(f"  failed: {f['path']}: {f['error']}", file=sys.stderr)
    if not (report.indexed or report.unchanged or report.removed):
        from ..ingest import EXTENSIONS

        what = "every file failed" if report.failed else \
            f"no supported file found (supported: {', '.join(sorted(EXTENSIONS))}; README files in folders are skipped)"
        kept = f"the library {s.index_dir} is unchanged" if (Path(s.index_dir) / "manifest.json").exists() \
            else f"no library was created at {s.index_dir}"
        print(f"error: nothing was indexed: {what}; {kept}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_PARTIAL if report.failed else EXIT_OK
