"""torch.stft and torch.istft, composed of differentiable ops around one
discrete Fourier transform along the last dimension.

    fft(x)_k = sum_n x_n exp(-2 pi i k n / N)

is linear with a symmetric matrix W, so PyTorch's gradient (grad_output
pushed through the adjoint) is W^H g = conj(fft(conj(g))): the formula is
the op itself, and every order of derivative follows.  The inverse
transform is conj(fft(conj(X))) / N.

stft: pad (centre), cut into frames (unfold), window, transform, keep the
non-negative frequencies (onesided), frames last.  istft: the full spectrum
from the onesided half (conjugate symmetry), inverse transform, window,
overlap-add (index_add) and division by the summed squared window.
"""
import math
import warnings

from .. import _dtypes
from . import _backend
from ._args import as_tensor_arg
from ._dispatch import apply
from ._registry import defop, expose, complex_ready, FUNCTIONS
from . import pad as _pad

_XP = _backend.NUMPY.xp

FFT = defop("fft_last", lambda x, *, xp=_XP: xp.fft.fft(x, axis=-1),
            lambda F, g: F.conj(F.fft_last(F.conj(g))), node_name="FftC2CBackward0")
complex_ready("aware", FFT)


def fft_last(x):
    """The DFT along the last dimension of a complex tensor."""
    return apply(FFT, (x,), (x._data,))


expose(fft_last, "fft_last", function=False, method=False)


def _ifft_last(X):
    return fft_last(X.conj()).conj() / X.shape[-1]


def _public(name):
    return FUNCTIONS[name]


def _window(window, win_length, n_fft, dtype, name, like):
    if window is None:
        warnings.warn(
            "A window was not provided. A rectangular window will be applied,which is known to "
            "cause spectral leakage. Other windows such as torch.hann_window or "
            "torch.hamming_window are recommended to reduce spectral leakage.To suppress this "
            "warning and use a rectangular window, explicitly set "
            "`window=torch.ones(n_fft, device=<device>)`.", UserWarning, stacklevel=3)
        window = like.new_ones(win_length, dtype=dtype)
    window = as_tensor_arg(window)
    if window.dim() != 1 or window.shape[0] != win_length:
        raise RuntimeError(f"{name}: expected a 1D window tensor of size equal to win_length="
                           f"{win_length}, but got window with size {list(window.shape)}")
    left = (n_fft - win_length) // 2
    if left or n_fft - win_length - left:
        window = _pad.pad(window, (left, n_fft - win_length - left))
    return window


def _lengths(name, n_fft, hop_length, win_length, length_of_signal=None):
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if n_fft <= 0 or (length_of_signal is not None and n_fft > length_of_signal):
        raise RuntimeError(f"{name}: expected 0 < n_fft <= {length_of_signal}, but got "
                           f"n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(f"{name}: expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(f"{name}: expected 0 < win_length <= n_fft, but got "
                           f"win_length={win}")
    return hop, win


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
         align_to_window=None):
    """The short-time Fourier transform, (..., freq, frames), as torch.stft."""
    input = as_tensor_arg(input)
    is_complex = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None:
        if not is_complex:
            raise RuntimeError(
                "stft requires the return_complex parameter be given for real inputs, and will "
                "further require that return_complex=True in a future PyTorch release.")
        return_complex = True
    if input.dim() not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input.dim()}D tensor")
    x = input if input.dim() == 2 else input.unsqueeze(0)
    if center:
        pad = n_fft // 2
        x = _pad.pad(x.unsqueeze(1), (pad, pad), mode=pad_mode).squeeze(1)
    hop, win = _lengths("stft", n_fft, hop_length, win_length, x.shape[-1])
    real_dtype = input.dtype.to_real() if input.is_complex() else (
        input.dtype if input.is_floating_point() else None)
    w = _window(window, win, n_fft, real_dtype, "stft", input)
    frames = x.unfold(-1, n_fft, hop) * w                   # (batch, frames, n_fft)
    if not frames.is_complex():
        frames = frames.to(frames.dtype.to_complex())
    spec = fft_last(frames)
    if onesided is None:
        onesided = not is_complex
    if onesided:
        if is_complex:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        spec = spec[..., : n_fft // 2 + 1]
    if normalized:
        spec = spec * (1 / math.sqrt(n_fft))
    out = spec.transpose(-1, -2)
    if input.dim() == 1:
        out = out.squeeze(0)
    if not return_complex:
        warnings.warn(
            "stft with return_complex=False is deprecated. In a future pytorch release, stft "
            "will return complex tensors for all inputs, and return_complex=False will raise an "
            "error.\nNote: you can still call torch.view_as_real on the complex output to "
            "recover the old return format.", UserWarning, stacklevel=2)
        return _public("view_as_real")(out)
    return out


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False):
    """The inverse of stft: overlap-add of the inverse-transformed, windowed
    frames, divided by the summed squared window, as torch.istft."""
    input = as_tensor_arg(input)
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    if input.dim() not in (2, 3):
        raise RuntimeError(f"istft: expected a tensor with 2 or 3 dimensions of complex, but "
                           f"got {input.dim()}")
    hop, win = _lengths("istft", n_fft, hop_length, win_length)
    X = input if input.dim() == 3 else input.unsqueeze(0)      # (batch, freq, frames)
    n_freq, n_frames = X.shape[-2], X.shape[-1]
    if onesided is None:
        onesided = n_freq != n_fft
    expected = n_fft // 2 + 1 if onesided else n_fft
    if n_freq != expected:
        raise RuntimeError(f"istft: expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft / 2 + 1 when onesided=True, but got "
                           f"{n_freq}" if onesided else
                           f"istft: expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft when onesided=False, but got {n_freq}")
    spec = X.transpose(-1, -2)                                  # (batch, frames, freq)
    if normalized:
        spec = spec * math.sqrt(n_fft)
    if onesided:
        # the negative frequencies, by conjugate symmetry (the C2R transform's input)
        top = n_fft - expected
        mirrored = spec[..., 1:1 + top].flip(-1).conj()
        spec = _public("cat")([spec, mirrored], -1)
    frames = _ifft_last(spec)
    if not return_complex:
        frames = frames.real
    w = _window(window, win, n_fft, input.dtype.to_real(), "istft", input)
    frames = frames * w
    total = n_fft + hop * (n_frames - 1)
    xp = _backend.namespace(input._data)
    index = input.new_tensor((xp.arange(n_frames)[:, None] * hop + xp.arange(n_fft)).reshape(-1),
                             dtype=_dtypes.int64)
    batch = frames.shape[0]
    y = input.new_zeros(batch, total, dtype=frames.dtype).index_add(
        -1, index, frames.reshape(batch, -1))
    envelope = input.new_zeros(total, dtype=w.dtype).index_add(
        0, index, (w * w).expand(n_frames, n_fft).reshape(-1)).detach()
    start = n_fft // 2 if center else 0
    end = total - (n_fft // 2 if center else 0) if length is None else start + length
    stop = min(end, total)
    if float(envelope[start:stop].abs().min()) < 1e-11:
        raise RuntimeError("istft: window overlap add min: 1")
    y = y[..., start:stop] / envelope[start:stop]
    if stop < end:                                              # (length past the signal: zeros)
        y = _pad.pad(y, (0, end - stop))
    return y.squeeze(0) if input.dim() == 2 else y


expose(stft, "stft")
expose(istft, "istft")
