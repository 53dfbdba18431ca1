/**
 * The built-in `install-deps` template: pinned `pip install` into the
 * kernel's environment, quietly, then the installed versions. Its id, label
 * and description are in ../builtinIndex.ts (they are needed at start); this
 * file, loaded on first use, holds the rest as data.
 */
import { IBuiltinBody } from './body';

/** Version, variables and cells of `install-deps`. */
export const installDeps: IBuiltinBody = {
  version: 1,
  variables: [
    {
      name: 'packages',
      label: 'Packages (name==version, separated by spaces)',
      kind: 'text',
      default: '',
      optional: true,
      description:
        'Each one pinned, e.g. numpy==1.26.4 or name @ URL written without spaces.'
    },
    {
      name: 'requirements',
      label: 'Requirements file',
      kind: 'path',
      default: '',
      optional: true
    }
  ],
  cells: [
    {
      type: 'markdown',
      source: [
        '### Install pinned dependencies',
        "Installs {{md:packages}} into this kernel's environment with `pip install --quiet` (the command `%pip install` runs, without IPython expanding `$` and `{}` in the values), plus the requirements file {{md:requirements}} when one is given. Every package must be pinned (`name==version`) so the run can be reproduced. The next cell prints the installed versions and says when the kernel must be restarted."
      ]
    },
    {
      type: 'code',
      source: [
        'import importlib.metadata',
        'import re',
        'import shlex',
        'import subprocess',
        'import sys',
        '',
        'PACKAGES = {{py:packages}}.split()',
        'REQUIREMENTS = {{py:requirements}}',
        '',
        'def _requirement_name(spec):',
        "    return re.split(r'[\\s<>=!~;@\\[]', spec.strip(), maxsplit=1)[0]",
        '',
        "_unpinned = [p for p in PACKAGES if '==' not in p and '@' not in p]",
        'if _unpinned:',
        "    raise ValueError('Pin a version (name==1.2.3) for: ' + ', '.join(_unpinned))",
        'if not PACKAGES and not REQUIREMENTS:',
        "    raise ValueError('Nothing to install: give packages or a requirements file')",
        'GPU_SESSION_INSTALLED = [_requirement_name(p) for p in PACKAGES]',
        'if REQUIREMENTS:',
        "    with open(REQUIREMENTS, encoding='utf-8') as _file:",
        '        for _line in _file:',
        "            _line = _line.split(' #', 1)[0].strip()",
        "            if _line and not _line.startswith(('#', '-')):",
        '                GPU_SESSION_INSTALLED.append(_requirement_name(_line))',
        '',
        'def _version(name):',
        '    try:',
        '        return importlib.metadata.version(name)',
        '    except importlib.metadata.PackageNotFoundError:',
        '        return None',
        '',
        'GPU_SESSION_VERSIONS_BEFORE = {name: _version(name) for name in GPU_SESSION_INSTALLED}',
        "_command = [sys.executable, '-m', 'pip', 'install', '--quiet', *PACKAGES]",
        'if REQUIREMENTS:',
        "    _command += ['-r', REQUIREMENTS]",
        "print('$', shlex.join(_command))",
        '_result = subprocess.run(_command, capture_output=True, text=True)',
        "print(_result.stdout, end='')",
        "print(_result.stderr, end='', file=sys.stderr)",
        'if _result.returncode != 0:',
        "    raise RuntimeError(f'pip install failed with exit status {_result.returncode}')"
      ]
    },
    {
      type: 'code',
      source: [
        'import importlib',
        'import importlib.metadata',
        'import re',
        'import sys',
        '',
        'def _normal(name):',
        "    return re.sub(r'[-_.]+', '-', name).lower()",
        '',
        'importlib.invalidate_caches()',
        '_modules = importlib.metadata.packages_distributions()',
        '_restart = []',
        'for _name in GPU_SESSION_INSTALLED:',
        '    try:',
        '        _now = importlib.metadata.version(_name)',
        '    except importlib.metadata.PackageNotFoundError:',
        '        _now = None',
        '    _before = GPU_SESSION_VERSIONS_BEFORE.get(_name)',
        '    _changed = _before is not None and _before != _now',
        "    print(f'{_name}: {_now or \"not installed\"}' + (f' (was {_before})' if _changed else ''))",
        '    if _changed and any(',
        '        module in sys.modules',
        '        for module, dists in _modules.items()',
        '        if _normal(_name) in {_normal(d) for d in dists}',
        '    ):',
        '        _restart.append(_name)',
        'if _restart:',
        "    print('Restart the kernel (Kernel > Restart Kernel) before using ' + ', '.join(_restart)",
        "          + ': the version imported earlier is still loaded.')"
      ]
    }
  ]
};
