# set_source_pkgconfig(): set_source() keywords from `pkg-config --cflags --libs`.
import shlex
import subprocess

from .errors import PkgConfigError


def _pkg_config(option: str, packages) -> list:
    try:
        proc = subprocess.run(["pkg-config", option, *packages], capture_output=True,
                              text=True, check=False)
    except OSError as error:
        raise PkgConfigError(f"cannot run pkg-config: {error}") from None
    if proc.returncode != 0:
        raise PkgConfigError(proc.stderr.strip() or
                             f"pkg-config {option} {' '.join(packages)} failed")
    return shlex.split(proc.stdout)


def flags(packages) -> dict:
    """The set_source() keywords that compile and link against the pkg-config `packages`."""
    found = {"include_dirs": [], "define_macros": [], "extra_compile_args": [],
             "library_dirs": [], "libraries": [], "extra_link_args": []}
    for word in _pkg_config("--cflags", packages):
        if word.startswith("-I"):
            found["include_dirs"].append(word[2:])
        elif word.startswith("-D"):
            name, eq, value = word[2:].partition("=")
            found["define_macros"].append((name, value if eq else None))
        else:
            found["extra_compile_args"].append(word)
    for word in _pkg_config("--libs", packages):
        if word.startswith("-L"):
            found["library_dirs"].append(word[2:])
        elif word.startswith("-l"):
            found["libraries"].append(word[2:])
        else:
            found["extra_link_args"].append(word)
    return {key: value for key, value in found.items() if value}


def merge(kwds: dict, extra: dict) -> dict:
    """kwds with each list of `extra` appended to the list of the same keyword."""
    merged = dict(kwds)
    for key, value in extra.items():
        merged[key] = [*merged.get(key, ()), *value]
    return merged
