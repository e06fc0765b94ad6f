"""The digits example, short (--quick: a few batches per epoch), in-process:
it trains (the loss falls), writes a checkpoint, and --resume continues
from it exactly as an uninterrupted run would; --backend torch and --plot
run too. Skips without scikit-learn and tqdm (the examples extra)."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("tqdm")

import chainrule as cr  # noqa: E402
from chainrule.examples import digits  # noqa: E402
from chainrule.examples.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402


def _run(tmp_path, *extra, name="ck.npz"):
    return digits.main(["--quick", "--no-progress", "--checkpoint", str(tmp_path / name),
                        *extra])


def test_quick_run_trains_and_writes_a_checkpoint(tmp_path, capsys):
    history = _run(tmp_path, "--epochs", "2")
    first, second = history["batch_losses"]
    assert len(first) == len(second) == digits.QUICK_BATCHES
    # from about log(10) = 2.3 at the start, down by the second epoch's end
    assert first[0] > 2.0 and np.mean(second[-3:]) < first[0] - 0.15
    assert history["train_loss"][1] < history["train_loss"][0]
    assert history["test_loss"][1] < history["test_loss"][0]
    assert history["test_acc"][1] > 0.2           # chance is 0.1
    assert all(0.0 <= a <= 1.0 for a in history["test_acc"])
    state = load_checkpoint(tmp_path / "ck.npz", cr)
    assert state["epoch"] == 2 and state["history"]["train_loss"] == history["train_loss"]
    assert set(state["model"]) == {f"{m}.{p}" for m in ("conv1", "conv2", "fc1", "fc2")
                                   for p in ("weight", "bias")}
    out = capsys.readouterr().out
    assert "epoch  2" in out and "s per epoch" in out and "test accuracy" in out


def test_resume_continues_as_an_uninterrupted_run(tmp_path, capsys):
    straight = _run(tmp_path, "--epochs", "2", name="a.npz")
    _run(tmp_path, "--epochs", "1", name="b.npz")
    resumed = _run(tmp_path, "--epochs", "2", "--resume", name="b.npz")
    assert "resumed from" in capsys.readouterr().out
    # model, Adam's moments and step, and the batch order all carried over
    assert resumed["batch_losses"] == straight["batch_losses"]
    assert resumed["test_loss"] == straight["test_loss"]
    a, b = load_checkpoint(tmp_path / "a.npz", cr), load_checkpoint(tmp_path / "b.npz", cr)
    for k, v in a["model"].items():
        assert np.array_equal(v.numpy(), b["model"][k].numpy()), k
    assert a["optimizer"]["param_groups"] == b["optimizer"]["param_groups"]


def test_checkpoint_round_trip_keeps_types_and_values(tmp_path):
    model = cr.nn.Conv2d(2, 3, 3)
    opt = cr.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    model(cr.randn(1, 2, 4, 4)).sum().backward()
    opt.step()
    obj = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3,
           "misc": [None, True, 1.5, "x", (1, 2)]}
    save_checkpoint(obj, tmp_path / "c.npz", cr)
    back = load_checkpoint(tmp_path / "c.npz", cr)
    assert back["epoch"] == 3 and back["misc"] == [None, True, 1.5, "x", (1, 2)]
    assert back["optimizer"]["param_groups"] == opt.state_dict()["param_groups"]
    assert list(back["optimizer"]["state"]) == [0, 1]          # int keys stay ints
    for k, v in obj["model"].items():
        assert str(back["model"][k].dtype) == str(v.dtype)
        assert np.array_equal(back["model"][k].numpy(), v.detach().numpy())
    fresh = cr.optim.Adam(cr.nn.Conv2d(2, 3, 3).parameters())
    fresh.load_state_dict(back["optimizer"])


def test_a_foreign_npz_is_refused(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(ValueError, match="not a digits checkpoint"):
        load_checkpoint(tmp_path / "other.npz", cr)


def test_torch_backend_runs_the_same_script(tmp_path, capsys):
    pytest.importorskip("torch")
    history = _run(tmp_path, "--backend", "torch", "--epochs", "1")
    assert history["batch_losses"][0][0] > 2.0
    assert "torch: test accuracy" in capsys.readouterr().out
    digits.use_backend("chainrule")


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    _run(tmp_path, "--epochs", "1", "--plot", str(tmp_path / "curves.png"))
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_torch_checkpoint_resumes_in_chainrule_and_back(tmp_path, capsys):
    """Model, Adam's state and the schedule cross between the libraries (the
    random state stays behind: the generators differ)."""
    pytest.importorskip("torch")
    _run(tmp_path, "--backend", "torch", "--epochs", "1")
    history = _run(tmp_path, "--epochs", "2", "--resume")
    assert "written by torch" in capsys.readouterr().out
    assert history["train_loss"][1] < history["train_loss"][0]
    state = load_checkpoint(tmp_path / "ck.npz", cr)
    assert state["backend"] == "chainrule" and state["optimizer"]["state"][0]["step"].item() == 12
    _run(tmp_path, "--backend", "torch", "--epochs", "3", "--resume")
    assert "written by chainrule" in capsys.readouterr().out
    digits.use_backend("chainrule")
