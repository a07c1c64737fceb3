"""`make dev` with the gallery alone (KIVRA_GALLERY_ONLY): a save under components/ recompiles
only the gallery pages it affects, inside the running backend worker, and writes them into
.web for Vite's hot module replacement (issue #10: on screen within 3 s of the save).

Reflex's own reload restarts the worker, imports the project again and compiles every page
(136 stories x 2 languages, ~2-4.5 s of "Compile pages" alone). The gallery's stories have no
state, so the backend needs none of that for a component edit: rxconfig.py takes components/
out of Granian's reload paths, and a thread of the worker (DevGalleryPlugin.post_compile)
watches the folder instead. On a save it

1. checks every components/*.py parses (a syntax error: a banner on every open gallery page and
   a message in the terminal, the last good pages stay; the next good save clears it);
2. imports components.* and pages.gallery afresh (the old modules are dropped from sys.modules,
   so nothing of the previous save survives: state/ is never re-imported);
3. finds the pages the save affects from the import graph of components/ (a page depends on
   the modules of its stories and on the module of its page function, transitively): a token
   edit in theme.py affects every page, a component's file only the pages of stories using it;
4. compiles those pages with Reflex's own page pipeline and writes the changed page and memo
   files. Reflex writes a page's memo wrappers into one file per page-function module, so the
   pages sharing a module are compiled together.

A save that changes what the rest of the app is compiled from (the set of gallery routes, an
npm library not installed, an app-level wrapper not in root.jsx) asks Granian for the full
reload instead: it writes RELOAD_STAMP, in a folder Granian watches. Production never imports
this module (rxconfig.py loads it only with REFLEX_ENV_MODE=dev outside production).
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import importlib
import json
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reflex_base.plugins.base import Plugin

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ROOT / "components"
GALLERY_MODULE = "pages.gallery"
RELOAD_STAMP = ROOT / "devtools" / ".gallery-reload.stamp"  # gitignored; Granian watches devtools/
NOTICE_SHEET = "kivra_dev_notice.css"  # in .web/styles, next to the palette sheet

logger = logging.getLogger("kivra.dev_gallery")


# What a save affects --------------------------------------------------------------------------
def module_of(path: Path, root: Path = ROOT) -> str:
    """The dotted module name of a source file under `root`."""
    return ".".join(path.relative_to(root).with_suffix("").parts)


def _own_imports(tree: ast.Module, known: set[str]) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):  # imports inside functions count too
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            # `from components import theme` imports the module components.theme
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n in known}


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules of components/ (and pages.gallery) it imports. A file that does not
    parse imports nothing here (the save is refused before this matters)."""
    files = {module_of(p, root): p for p in sorted((root / "components").glob("*.py"))}
    gallery = root / "pages" / "gallery.py"
    if gallery.exists():
        files[GALLERY_MODULE] = gallery
    known = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except (SyntaxError, ValueError, OSError):
            graph[name] = set()
            continue
        graph[name] = _own_imports(tree, known) - {name}
    return graph


def dependents(graph: dict[str, set[str]], changed: Iterable[str]) -> set[str]:
    """The changed modules and every module that imports one of them, directly or not."""
    users: dict[str, set[str]] = {}
    for module, imported in graph.items():
        for dep in imported:
            users.setdefault(dep, set()).add(module)
    seen: set[str] = set()
    todo = list(changed)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(users.get(module, ()))
    return seen


@dataclasses.dataclass(frozen=True)
class PageInfo:
    route: str
    module: str  # the page function's module: the memo file its wrappers are written to
    uses: frozenset[str]  # the modules its content comes from (its stories', its own)


def page_infos(pages: list[dict[str, Any]], stories_by_route: dict[str, set[str]]) -> list[PageInfo]:
    """PageInfo of gallery_pages() entries; stories_by_route: route -> its stories' modules."""
    infos = []
    for page in pages:
        module = page["component"].__module__
        infos.append(PageInfo(page["route"], module,
                              frozenset({module, GALLERY_MODULE, *stories_by_route.get(page["route"], ())})))
    return infos


def affected_routes(infos: list[PageInfo], graph: dict[str, set[str]],
                    changed: Iterable[str]) -> set[str]:
    """The routes to recompile after a save of the `changed` modules: the pages using one of
    them, and every page sharing a memo file with one of those."""
    hit = dependents(graph, changed)
    modules = {i.module for i in infos if i.uses & hit}
    return {i.route for i in infos if i.module in modules}


# The notice on the open pages ----------------------------------------------------------------
def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ") + '"'


def notice_css(message: str | None) -> str:
    """The notice stylesheet: a banner over every page with `message`, or nothing."""
    if not message:
        return "/* make dev: the last save compiled */\n"
    return (
        "body::before{content:" + _css_string(message) + ";position:fixed;z-index:2147483647;"
        "top:0;left:0;right:0;max-height:50vh;overflow:auto;white-space:pre-wrap;"
        "background:#b3261e;color:#fff;font:14px/1.4 ui-monospace,monospace;padding:8px 12px}\n"
    )


def write_if_changed(path: Path, text: str) -> bool:
    """Write atomically (Vite never reads half a file), only when the content changed."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return True


def _web_dir() -> Path:
    from reflex.utils.prerequisites import get_web_dir

    return Path(get_web_dir())


def show_notice(message: str | None, web_dir: Path | None = None) -> None:
    write_if_changed((web_dir or _web_dir()) / "styles" / NOTICE_SHEET, notice_css(message))


def syntax_errors(root: Path = ROOT) -> list[str]:
    """'file:line: message' of every components/*.py that does not compile."""
    problems = []
    for path in sorted((root / "components").glob("*.py")):
        try:
            compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)
        except SyntaxError as exc:
            where = f"{path.relative_to(root)}:{exc.lineno}"
            problems.append(f"{where}: {type(exc).__name__}: {exc.msg}\n  {(exc.text or '').rstrip()}")
        except (ValueError, OSError) as exc:
            problems.append(f"{path.relative_to(root)}: {exc}")
    return problems


def describe(exc: BaseException, root: Path = ROOT) -> str:
    """An exception as a designer needs it: the project's innermost frame and the message."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(str(root))]
    where = ""
    if frames:
        f = frames[-1]
        where = f"{Path(f.filename).relative_to(root)}:{f.lineno} (in {f.name}): "
    return f"{where}{type(exc).__name__}: {exc}"


# Import and compile --------------------------------------------------------------------------
def fresh_gallery() -> Any:
    """pages.gallery and components.* imported again from what is on disk now."""
    for name in list(sys.modules):
        if name == "components" or name.startswith("components.") or name == GALLERY_MODULE:
            del sys.modules[name]
    importlib.invalidate_caches()
    return importlib.import_module(GALLERY_MODULE)


@dataclasses.dataclass
class Compiled:
    files: dict[Path, str]  # absolute path -> code
    packages: set[str]  # npm packages the pages import
    app_wraps: list[str]  # tags of the app-level wrapper components the pages ask for


def compile_pages(app: Any, pages: list[Any]) -> Compiled:
    """Compile `pages` (UnevaluatedPage) the way reflex.compiler.compile_app compiles every page:
    the page files and the memo files of their modules, nothing app-wide."""
    from reflex.app import App
    from reflex.compiler import compiler
    from reflex.compiler import utils as compiler_utils
    from reflex.compiler.plugins import default_page_plugins
    from reflex_base.components.component import evaluate_style_namespaces
    from reflex_base.components.memo import MEMOS, reset_memo_component_classes
    from reflex_base.config import get_config
    from reflex_base.plugins import CompileContext, CompilerHooks
    from reflex_base.registry import RegistrationContext
    from reflex_base.utils.deterministic_hash import clear_hash_caches
    from reflex_base.utils.format import format_library_name
    from reflex_base.vars.base import GLOBAL_CACHE

    config = get_config()
    compiler_plugins, _ = compiler._resolve_radix_themes_plugin(app, config.plugins)
    app.style = evaluate_style_namespaces(app.style)
    reset_memo_component_classes()
    RegistrationContext.ensure_context()._reset_compile_caches()
    ctx = CompileContext(app=app, pages=pages, hooks=CompilerHooks(
        plugins=default_page_plugins(style=app.style, plugins=compiler_plugins)))
    try:
        with ctx:
            ctx.compile()
        modules = {p._source_module for p in pages}
        memos = [m for m in (*MEMOS.values(), *ctx.auto_memo_components.values())
                 if getattr(m, "source_module", None) in modules]
        memo_files, memo_imports = compiler.compile_memo_components(memos)
    finally:
        clear_hash_caches()
        GLOBAL_CACHE.clear()
    files: dict[Path, str] = {}
    for path, code in memo_files:
        files[compiler_utils.resolve_path_of_web_dir(path)] = code
    for page_ctx in ctx.compiled_pages.values():
        if page_ctx.output_path is not None and page_ctx.output_code is not None:
            files[compiler_utils.resolve_path_of_web_dir(page_ctx.output_path)] = page_ctx.output_code
    packages = set()
    for imports in (ctx.all_imports, memo_imports):
        for name, tags in imports.items():
            package = App._get_frontend_package_name(name)
            if package and any(tag.install for tag in tags):
                packages.add(format_library_name(package))
    wraps = [str(getattr(w, "tag", None) or type(w).__name__)
             for w in ctx.app_wrap_components.values()]
    return Compiled(files, packages, wraps)


def split_work(pages: list[Any], weights: dict[str, int], jobs: int) -> list[list[Any]]:
    """`pages` (UnevaluatedPage) in at most `jobs` shares of about equal weight; the pages of
    one module always in the same share (they write one memo file together)."""
    groups: dict[str | None, list[Any]] = {}
    for page in pages:
        groups.setdefault(page._source_module, []).append(page)
    loads = [0] * max(1, jobs)
    shares: list[list[Any]] = [[] for _ in loads]
    for _module, members in sorted(groups.items(), key=lambda kv: (
            -sum(weights.get(p.route, 1) for p in kv[1]), str(kv[0]))):
        lightest = loads.index(min(loads))
        loads[lightest] += sum(weights.get(p.route, 1) for p in members)
        shares[lightest].extend(members)
    return [share for share in shares if share]


def compile_in_parallel(app: Any, shares: list[list[Any]]) -> Compiled:
    """compile_pages of each share, the first in this process and the others in forked
    children (the machine's cores; the modules just imported are inherited, not imported
    again). A child's failure is raised here as a RuntimeError with its message."""
    import pickle

    children = []
    for share in shares[1:]:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compile, send the result, leave without cleanup
            os.close(read)
            try:
                try:
                    result: Any = ("ok", compile_pages(app, share))
                except BaseException as exc:  # noqa: BLE001 - reported by the parent
                    result = ("error", describe(exc))
                data = pickle.dumps(result)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
            finally:
                os._exit(0)
        os.close(write)
        children.append((pid, read))
    try:
        merged = compile_pages(app, shares[0])
    finally:
        results = []
        for pid, read in children:
            with os.fdopen(read, "rb") as src:
                data = src.read()
            os.waitpid(pid, 0)
            # Our own forked child, through its own pipe.
            results.append(pickle.loads(data) if data else ("error", "a compile job died"))  # noqa: S301
    for kind, value in results:
        if kind == "error":
            raise RuntimeError(value)
        merged.files.update(value.files)
        merged.packages |= value.packages
        merged.app_wraps += value.app_wraps
    return merged


def missing_packages(packages: set[str], web_dir: Path) -> set[str]:
    """The npm packages not in .web/package.json (a full compile installs them)."""
    try:
        manifest = json.loads((web_dir / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set(packages)
    known = {*manifest.get("dependencies", {}), *manifest.get("devDependencies", {})}
    return {p for p in packages if p not in known}


def unknown_app_wraps(tags: list[str], web_dir: Path) -> list[str]:
    """The tags of app-level wrappers that root.jsx does not render yet."""
    try:
        root = (web_dir / "app" / "root.jsx").read_text(encoding="utf-8")
    except OSError:
        root = ""
    return [t for t in tags if t not in root]


# The watcher ---------------------------------------------------------------------------------
def _stamps(folder: Path) -> dict[str, int]:
    stamps = {}
    for path in folder.glob("*.py"):
        with contextlib.suppress(OSError):
            stamps[path.name] = path.stat().st_mtime_ns
    return stamps


def changed_modules(before: dict[str, int], after: dict[str, int]) -> set[str]:
    """Modules (components.<name>) added, removed or modified between two stamp sets."""
    names = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
    return {f"components.{Path(n).stem}" for n in names}


@dataclasses.dataclass
class Outcome:
    routes: list[str] = dataclasses.field(default_factory=list)  # recompiled
    written: list[Path] = dataclasses.field(default_factory=list)
    error: str | None = None
    full_reload: str | None = None  # why the save needs Reflex's own reload
    seconds: float = 0.0


class GalleryRecompiler:
    """Recompiles the gallery pages a save affects, in the process serving the app."""

    def __init__(self, app: Any, root: Path = ROOT, web_dir: Path | None = None,
                 jobs: int | None = None) -> None:
        self.app = app
        self.root = root
        self.web_dir = web_dir
        self.lock = threading.Lock()
        self.catalogue: dict[str, Any] | None = None
        # Compile jobs: this process and forked children, one per core.
        self.jobs = jobs if jobs is not None else (min(2, os.cpu_count() or 1)
                                                   if hasattr(os, "fork") else 1)

    def _web(self) -> Path:
        return self.web_dir or _web_dir()

    def warm_up(self) -> None:
        """Compile one small gallery page without writing it: the first compile in a process
        loads and primes what every later one uses (~1.5 s of a first save otherwise)."""
        with self.lock:
            raw = [p for r, p in self.app._unevaluated_pages.items()
                   if r.lstrip("/").startswith("gallery/raw/[gallery_lang]/")
                   and not r.endswith("[gallery_component]/[gallery_story]")]
            if raw:  # the component page with the smallest source: one with few stories
                compile_pages(self.app, [min(raw, key=lambda p: len(str(p.route)))])

    def request_full_reload(self, why: str) -> None:
        logger.warning("make dev: %s; the whole app is reloaded", why)
        RELOAD_STAMP.write_text(f"{time.time()} {why}\n", encoding="utf-8")

    def handle(self, changed: set[str]) -> Outcome:
        with self.lock:
            self._started = time.perf_counter()
            outcome = self._handle(changed)
            outcome.seconds = time.perf_counter() - self._started
        if outcome.error:
            logger.error("make dev: the gallery was not recompiled:\n%s", outcome.error)
            with contextlib.suppress(OSError):
                show_notice(outcome.error + "\n(the gallery shows the last save that compiled)",
                            self._web())
        else:
            with contextlib.suppress(OSError):
                show_notice(None, self._web())
            if outcome.full_reload:
                self.request_full_reload(outcome.full_reload)
            else:
                logger.info("make dev: %d gallery pages recompiled, %d files written in %.2f s",
                            len(outcome.routes), len(outcome.written), outcome.seconds)
        return outcome

    def _handle(self, changed: set[str]) -> Outcome:
        problems = syntax_errors(self.root)
        if problems:
            return Outcome(error="\n".join(problems))
        try:
            gallery = fresh_gallery()
            stories = gallery.discover()
            pages = gallery.gallery_pages(stories)
        except Exception as exc:  # noqa: BLE001 - anything a story module raises
            return Outcome(error=describe(exc, self.root))
        try:
            prepared = {p["route"]: self.app._prepare_page(**gallery.page_arguments(p)).page
                        for p in pages}
        except Exception as exc:  # noqa: BLE001 - e.g. a story slug a route cannot take
            return Outcome(error=describe(exc, self.root))
        routes = {p.route for p in prepared.values()}
        current = {r for r in self.app._unevaluated_pages if r.lstrip("/").startswith("gallery")}
        if routes != current:
            return Outcome(full_reload="the gallery's routes changed ("
                           + ", ".join(sorted(routes ^ current)) + ")")
        by_route: dict[str, set[str]] = {}
        by_story: dict[str, list[Any]] = {}  # route -> its stories (the work of compiling it)
        for s in stories:
            by_route.setdefault(gallery.raw_route(s.component), set()).add(s.module)
            by_story.setdefault(gallery.raw_route(s.component), []).append(s)
        infos = page_infos(pages, by_route)
        graph = import_graph(self.root)
        affected = affected_routes(infos, graph, changed)
        catalogue = gallery.catalogue_entries(stories)
        if self.catalogue is not None and catalogue != self.catalogue:
            # The index lists the stories: its group (pages.gallery) is recompiled.
            affected |= {i.route for i in infos if i.module == GALLERY_MODULE}
        todo = [p for p in pages if p["route"] in affected]
        if not todo:
            self._set_catalogue(gallery, catalogue)
            return Outcome()
        todo_pages = [prepared[p["route"]] for p in todo]
        weights = {prepared[r].route: 2 * len(stories_of) for r, stories_of in by_story.items()}
        # The pages open in a browser first (and the pages sharing their memo file), then the
        # rest: what is on screen changes after compiling its own pages, not all 30.
        shown = self._shown_routes(gallery, prepared)
        shown_modules = {p._source_module for p in todo_pages if p.route in shown}
        first = [p for p in todo_pages if p._source_module in shown_modules]
        rest = [p for p in todo_pages if p._source_module not in shown_modules]
        outcome = Outcome()
        for batch in (first, rest):
            if not batch:
                continue
            try:
                compiled = compile_in_parallel(self.app, split_work(batch, weights, self.jobs))
            except Exception as exc:  # noqa: BLE001 - a story that does not compile
                return Outcome(error=describe(exc, self.root))
            web = self._web()
            if missing := missing_packages(compiled.packages, web):
                return Outcome(full_reload="new npm packages " + ", ".join(sorted(missing)))
            if wraps := unknown_app_wraps(compiled.app_wraps, web):
                return Outcome(full_reload="new app-level wrappers " + ", ".join(wraps))
            for page in batch:
                self.app._unevaluated_pages[page.route] = page
            self._set_catalogue(gallery, catalogue)
            # The memo modules first: a page importing a new wrapper finds it.
            order = sorted(compiled.files, key=lambda p: "/app/routes/" in p.as_posix())
            outcome.written += [p for p in order if write_if_changed(p, compiled.files[p])]
            outcome.routes += sorted(p.route for p in batch)
            if batch is first and rest:
                logger.info("make dev: the %d open gallery pages written after %.2f s",
                            len(first), time.perf_counter() - self._started)
        return outcome

    def _shown_routes(self, gallery: Any, prepared: dict[str, Any]) -> set[str]:
        """The app routes of the gallery pages open in a browser now (OPEN_PAGES)."""
        routes = set()
        for path in open_paths(self.app):
            parts = path.split("?")[0].strip("/").split("/")
            if len(parts) >= 4 and parts[:2] == ["gallery", "raw"]:
                page = prepared.get(gallery.raw_route(parts[3]))
                if page is not None:
                    routes.add(page.route)
            elif parts and parts[0] == "gallery":  # the index and the viewer
                routes |= {p.route for p in prepared.values() if p._source_module == GALLERY_MODULE}
        return routes

    def _set_catalogue(self, gallery: Any, catalogue: dict[str, Any]) -> None:
        from state.gallery import set_catalogue

        if catalogue != self.catalogue:
            set_catalogue(catalogue)
        self.catalogue = catalogue


# Which gallery pages are open: token -> the paths its events came from (OpenPagesMiddleware).
OPEN_PAGES: dict[str, set[str]] = {}


def open_paths(app: Any) -> set[str]:
    """The paths of the pages whose browser tab is connected now."""
    namespace = getattr(app, "event_namespace", None)
    connected = set(getattr(namespace, "token_to_sid", {}) or {}) if namespace else set()
    for token in [t for t in OPEN_PAGES if t not in connected]:
        OPEN_PAGES.pop(token, None)
    return {path for token in connected for path in OPEN_PAGES.get(token, ())}


def _open_pages_middleware() -> Any:
    from reflex.middleware import Middleware

    class OpenPagesMiddleware(Middleware):
        """Notes the page of every event (the hydrate event of each page load, first)."""

        async def preprocess(self, app: Any, state: Any, event: Any) -> None:  # noqa: ARG002
            with contextlib.suppress(Exception):  # only a hint: never in the event's way
                path = (event.router_data or {}).get("pathname")
                token = state.router.session.client_token
                if isinstance(path, str) and path.startswith("/gallery") and token:
                    OPEN_PAGES.setdefault(token, set()).add(path)

    return OpenPagesMiddleware()


_watcher: tuple[int, threading.Thread] | None = None


def start_watcher(app: Any, interval: float = 0.05, settle: float = 0.03) -> None:
    """Watch components/ from a thread of this worker (once per process)."""
    global _watcher
    if _watcher is not None and _watcher[0] == os.getpid():
        return
    recompiler = GalleryRecompiler(app)

    def watch() -> None:
        seen = _stamps(COMPONENTS)
        with contextlib.suppress(Exception):
            recompiler.warm_up()
        while True:
            time.sleep(interval)
            now = _stamps(COMPONENTS)
            if now == seen:
                continue
            time.sleep(settle)  # an editor's save can be more than one write
            now = _stamps(COMPONENTS)
            changed = changed_modules(seen, now)
            seen = now
            try:
                recompiler.handle(changed)
            except Exception:  # noqa: BLE001 - keep watching whatever happened
                logger.exception("make dev: the gallery recompile failed")

    thread = threading.Thread(target=watch, name="dev-gallery", daemon=True)
    _watcher = (os.getpid(), thread)
    thread.start()


def hot_gallery_enabled() -> bool:
    """True in `make dev` with the gallery alone (the product's pages use components/ too and
    are left to Reflex's own reload)."""
    from kivra_app.settings import get_settings

    settings = get_settings()
    return (os.environ.get("REFLEX_ENV_MODE") == "dev" and not settings.is_production
            and settings.gallery_enabled and not settings.product_pages_enabled)


class DevGalleryPlugin(Plugin):
    """Adds the notice stylesheet, and starts the watcher in the backend worker once the app is
    compiled (post_compile runs in every worker Reflex starts)."""

    def get_stylesheet_paths(self, **context) -> list[str]:  # noqa: ANN003
        return [f"./{NOTICE_SHEET}"]

    def pre_compile(self, **context) -> None:  # noqa: ANN003
        with contextlib.suppress(OSError):
            show_notice(None)

    def post_compile(self, **context) -> None:  # noqa: ANN003
        app = context.get("app")
        if app is not None:
            if not any(type(m).__name__ == "OpenPagesMiddleware" for m in app._middlewares):
                app.add_middleware(_open_pages_middleware())
            start_watcher(app)
