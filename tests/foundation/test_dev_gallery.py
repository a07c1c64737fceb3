"""`make dev`'s gallery recompiler (devtools/dev_gallery.py, issue #10): which pages a save
affects, the message a broken save shows, and the recompile writing the new output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from components.stories import discover
from devtools.dev_gallery import (
    GALLERY_MODULE,
    PageInfo,
    affected_routes,
    changed_modules,
    import_graph,
    notice_css,
    page_infos,
    split_work,
    syntax_errors,
)
from pages.gallery import gallery_pages, raw_route

ROOT = Path(__file__).resolve().parents[2]


def _project_infos() -> tuple[list[PageInfo], dict[str, set[str]]]:
    stories = discover()
    by_route: dict[str, set[str]] = {}
    for s in stories:
        by_route.setdefault(raw_route(s.component), set()).add(s.module)
    return page_infos(gallery_pages(stories), by_route), import_graph(ROOT)


def test_a_token_edit_in_theme_py_affects_every_gallery_page() -> None:
    infos, graph = _project_infos()
    assert affected_routes(infos, graph, {"components.theme"}) == {i.route for i in infos}


def test_a_components_file_affects_only_the_pages_of_stories_using_it() -> None:
    infos, graph = _project_infos()
    hit = affected_routes(infos, graph, {"components.senders_list"})
    assert hit == {raw_route("senders-list")}
    # forms.py is used by many components (their stories), not by the senders list's.
    forms = affected_routes(infos, graph, {"components.forms"})
    assert raw_route("button") in forms and raw_route("bankid-panel") in forms
    assert raw_route("senders-list") not in forms
    # By module: progress's stories share misc_stories.py with app-prompt's, which uses forms.py.
    assert raw_route("progress") in forms


def test_pages_sharing_a_memo_file_are_recompiled_together(tmp_path: Path) -> None:
    (tmp_path / "components").mkdir()
    (tmp_path / "pages").mkdir()
    (tmp_path / "components" / "theme.py").write_text("X = 1\n")
    (tmp_path / "components" / "a.py").write_text("from components import theme\n")
    (tmp_path / "components" / "b.py").write_text("def f():\n    from components.a import x\n")
    (tmp_path / "components" / "c.py").write_text("import json\n")
    (tmp_path / "pages" / "gallery.py").write_text("from components.theme import X\n")
    graph = import_graph(tmp_path)
    assert graph["components.b"] == {"components.a"}  # an import inside a function counts
    infos = [PageInfo("/b", "memo.b", frozenset({"components.b"})),
             PageInfo("/b2", "memo.b", frozenset({"components.c"})),
             PageInfo("/c", "memo.c", frozenset({"components.c"})),
             PageInfo("/index", GALLERY_MODULE, frozenset({GALLERY_MODULE}))]
    assert affected_routes(infos, graph, {"components.a"}) == {"/b", "/b2"}
    assert affected_routes(infos, graph, {"components.c"}) == {"/b", "/b2", "/c"}
    assert affected_routes(infos, graph, {"components.theme"}) == {"/b", "/b2", "/index"}


def test_changed_modules_include_new_and_deleted_files() -> None:
    before = {"a.py": 1, "b.py": 2, "gone.py": 3}
    after = {"a.py": 1, "b.py": 5, "new_stories.py": 4}
    assert changed_modules(before, after) == {"components.b", "components.gone",
                                              "components.new_stories"}


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "components").mkdir()
    (tmp_path / "components" / "ok.py").write_text("X = 1\n")
    (tmp_path / "components" / "forms.py").write_text("def f(:\n    pass\n")
    problems = syntax_errors(tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith("components/forms.py:1: SyntaxError")


def test_the_notice_is_a_css_string_whatever_the_message() -> None:
    css = notice_css('components/forms.py:3: "quoted" \\ and\na second line')
    assert 'content:"components/forms.py:3: \\"quoted\\" \\\\ and\\A a second line"' in css
    assert "content" not in notice_css(None)


def test_work_is_split_by_weight_and_a_memo_file_stays_in_one_share() -> None:
    class Page:
        def __init__(self, route: str, module: str) -> None:
            self.route, self._source_module = route, module

    pages = [Page("a1", "a"), Page("a2", "a"), Page("b", "b"), Page("c", "c")]
    shares = split_work(pages, {"a1": 5, "a2": 5, "b": 6, "c": 3}, 2)
    assert sorted(sorted(p.route for p in s) for s in shares) == [["a1", "a2"], ["b", "c"]]
    assert split_work(pages, {}, 1) == [pages]


PROBE = """
import json, sys
from pathlib import Path
from reflex.utils import prerequisites
app = prerequisites.get_and_validate_app().app
from devtools.dev_gallery import GalleryRecompiler
web = Path(sys.argv[1])
recompiler = GalleryRecompiler(app, web_dir=web, jobs=int(sys.argv[2]))
first = recompiler.handle({sys.argv[3]})
again = recompiler.handle({sys.argv[3]})
print(json.dumps({"routes": first.routes, "written": [str(p) for p in first.written],
                  "again": [str(p) for p in again.written], "error": first.error,
                  "full_reload": first.full_reload}))
"""


ROOT_JSX = "import {EventLoopProvider,StateProvider} from '$/utils/context'"


def _probe(tmp_path: Path, jobs: int, changed: str = "components.senders_list",
           root_jsx: str = ROOT_JSX) -> dict:
    web = tmp_path / "web"
    (web / "app").mkdir(parents=True)
    (web / "package.json").write_text(json.dumps({"dependencies": {
        "react": "*", "react-dom": "*", "react-router": "*", "@emotion/react": "*",
        "qrcode.react": "*"}}))
    # What root.jsx renders around every page (a wrapper missing here asks for a full reload).
    (web / "app" / "root.jsx").write_text(root_jsx)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVRA_")}
    env.update(REFLEX_ENV_MODE="dev", KIVRA_GALLERY_ONLY="true", KIVRA_DATA_DIR=str(tmp_path),
               KIVRA_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", REFLEX_WEB_WORKDIR=str(web),
               REFLEX_TELEMETRY_ENABLED="false", REFLEX_CHECK_LATEST_VERSION="false")
    out = subprocess.run([sys.executable, "-c", PROBE, str(web), str(jobs), changed], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_recompile_writes_the_affected_page_and_its_memo_file(tmp_path: Path) -> None:
    result = _probe(tmp_path, jobs=1)
    assert result["error"] is None and result["full_reload"] is None
    assert result["routes"] == ["gallery/raw/[gallery_lang]/senders-list/[gallery_story]"]
    written = {Path(p).relative_to(tmp_path / "web").as_posix() for p in result["written"]}
    page = "app/routes/[gallery].[raw].$[gallery_lang].[senders-list].$[gallery_story]._index.jsx"
    assert page in written
    assert "app_components/gallery_story_pages/senders_list.jsx" in written
    # The page's own stories (the match over "<lang>/<component>/<story>" is in its memo file).
    code = (tmp_path / "web" / "app_components/gallery_story_pages/senders_list.jsx").read_text()
    assert '"sv/senders-list/mixed"' in code and '"en/senders-list/mixed"' in code
    assert "button/primary-default" not in code
    assert result["again"] == []  # nothing changed on disk: nothing rewritten for Vite


def test_a_forked_job_compiles_like_this_process(tmp_path: Path) -> None:
    one = _probe(tmp_path / "one", jobs=1, changed="components.bankid")
    two = _probe(tmp_path / "two", jobs=2, changed="components.bankid")
    assert len(one["routes"]) >= 2 and one["routes"] == two["routes"]
    names = sorted(Path(p).name for p in one["written"])
    assert names == sorted(Path(p).name for p in two["written"])
    for path in one["written"]:  # the same code from either job
        twin = Path(path.replace(str(tmp_path / "one"), str(tmp_path / "two")))
        assert Path(path).read_text() == twin.read_text(), Path(path).name


def test_a_wrapper_root_jsx_lacks_asks_for_the_full_reload(tmp_path: Path) -> None:
    result = _probe(tmp_path, jobs=1, root_jsx="")
    assert result["full_reload"] and "StateProvider" in result["full_reload"]
    assert result["written"] == []
