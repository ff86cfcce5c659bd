"""The HTML report opens in headless Chromium (Debian's package, installed by .ci/run).

Chromium renders the page to a screenshot and dumps its DOM: the sections must be there, the page
must not be blank, and the browser's console must report no errors. Locally without Chromium the
test is skipped; under CI (CI=true) a missing Chromium is a failure.
"""

from __future__ import annotations

import matplotlib.image
import pytest
from typer.testing import CliRunner

from helpers import chromium as browser
from hessdiag.cli import app


@pytest.fixture(scope="module")
def chromium():
    return browser.find()


def test_html_report_renders_in_chromium(chromium, tmp_path):
    page = tmp_path / "report.html"
    figs = tmp_path / "figs"
    result = CliRunner().invoke(app, ["run", "--top-k", "2", "--html", str(page), "--png-dir", str(figs), "--quiet"])
    assert result.exit_code == 0, result.stderr
    url = page.resolve().as_uri()

    dom = browser.browse(chromium, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for marker in ('id="verdict"', 'class="call"', 'id="key-numbers"', 'id="figures"', 'id="section-eigenvalues"',
                   'id="section-Linf"', 'id="section-noise"', 'id="section-fisher"', 'id="fig-eigenvalues"',
                   'id="fig-density"', 'id="fig-race"', "data:image/png;base64,"):
        assert marker in dom.stdout, marker
    verdict_at = dom.stdout.index('id="verdict"')
    assert verdict_at < dom.stdout.index('id="key-numbers"') < dom.stdout.index('id="figures"')  # verdict first
    assert not browser.console_errors(dom.stderr)

    shot = tmp_path / "shot.png"
    capture = browser.browse(chromium, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,1600",
                             url)
    assert capture.returncode == 0 and shot.exists(), capture.stderr[-2000:]
    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[0] == 1600 and pixels.shape[1] == 1200
    assert float(pixels[..., :3].std()) > 0.05  # not a blank page
