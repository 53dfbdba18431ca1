"""How the benches hand over their result: JSON to --out, else to stdout."""
import json


def emit(res, out):
    """Write `res` as indented JSON to the file `out`, or print it without one."""
    text = json.dumps(res, indent=2)
    if out:
        with open(out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
