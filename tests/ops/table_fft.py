"""Op table: torch.fft (every transform, with n/s, dim and each norm=), real and complex
input. Float32 results within a relative 1e-5 and absolute 1e-5 of PyTorch's (its FFT
kernel sums in another order than NumPy's pocketfft), float64 within 1e-10."""

from optable import A, OpCase, cplx

TOL = {"parity_rtol": 1e-5, "parity_atol": 1e-5}


def case(name, fn, args):
    return OpCase(name, fn, args, **TOL)


CASES = [
    case("fft_real", lambda t, x: t.fft.fft(x), (A(5),)),
    case("fft_complex_n_pad", lambda t, z: t.fft.fft(z, n=7), (cplx(2, 5),)),
    case("fft_real_n_cut_dim0", lambda t, x: t.fft.fft(x, n=3, dim=0), (A(5, 2),)),
    case("fft_ortho", lambda t, z: t.fft.fft(z, norm="ortho"), (cplx(4),)),
    case("ifft_complex", lambda t, z: t.fft.ifft(z), (cplx(6),)),
    case("ifft_real_forward_norm", lambda t, x: t.fft.ifft(x, norm="forward"), (A(2, 4),)),
    case("rfft", lambda t, x: t.fft.rfft(x), (A(2, 6),)),
    case("rfft_odd_n", lambda t, x: t.fft.rfft(x, n=7, norm="ortho"), (A(5),)),
    case("irfft", lambda t, z: t.fft.irfft(z), (cplx(2, 4),)),
    case("irfft_odd_n", lambda t, z: t.fft.irfft(z, n=7, norm="forward"), (cplx(4),)),
    case("hfft", lambda t, z: t.fft.hfft(z), (cplx(4),)),
    case("hfft_n_ortho", lambda t, z: t.fft.hfft(z, n=5, norm="ortho"), (cplx(2, 3),)),
    case("ihfft", lambda t, x: t.fft.ihfft(x), (A(6),)),
    case("ihfft_forward", lambda t, x: t.fft.ihfft(x, norm="forward"), (A(2, 5),)),
    case("fft2", lambda t, z: t.fft.fft2(z), (cplx(3, 4),)),
    case("fft2_real_s", lambda t, x: t.fft.fft2(x, s=(4, 3)), (A(2, 3, 4),)),
    case("ifft2", lambda t, z: t.fft.ifft2(z, norm="ortho"), (cplx(2, 3, 2),)),
    case("fftn_all_dims", lambda t, z: t.fft.fftn(z), (cplx(2, 3, 2),)),
    case("fftn_dim", lambda t, x: t.fft.fftn(x, dim=(0, 2)), (A(2, 3, 2),)),
    case("ifftn_s_minus_one", lambda t, z: t.fft.ifftn(z, s=(-1, 5)), (cplx(3, 4),)),
    case("rfft2", lambda t, x: t.fft.rfft2(x), (A(3, 4),)),
    case("rfftn", lambda t, x: t.fft.rfftn(x, s=(3, 5), norm="forward"), (A(2, 3, 4),)),
    case("irfft2", lambda t, z: t.fft.irfft2(z), (cplx(3, 3),)),
    case("irfftn_s", lambda t, z: t.fft.irfftn(z, s=(4, 5), dim=(0, 1)), (cplx(3, 3, 2),)),
    case("hfft2", lambda t, z: t.fft.hfft2(z), (cplx(3, 3),)),
    case("hfftn_ortho", lambda t, z: t.fft.hfftn(z, norm="ortho"), (cplx(2, 2, 3),)),
    case("ihfft2", lambda t, x: t.fft.ihfft2(x), (A(3, 4),)),
    case("ihfftn_s", lambda t, x: t.fft.ihfftn(x, s=(2, 5)), (A(2, 3, 4),)),
    case("fftshift", lambda t, x: t.fft.fftshift(x), (A(3, 4),)),
    case("ifftshift_dim", lambda t, x: t.fft.ifftshift(x, dim=1), (A(3, 5),)),
    case("fft_roundtrip", lambda t, x: t.fft.irfft(t.fft.rfft(x) * (1 + 0.5j), n=6), (A(6),)),
]
