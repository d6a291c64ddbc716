using System.Security.Cryptography;
using OpenCkv.Crypto.Hashing;
using OpenCkv.Crypto.Vrf;

namespace OpenCkv.Crypto.Native;

/// <summary>
/// P-256 through libcrypto's <c>EC_POINT</c> API. Points are <c>EC_POINT*</c> handles owned by the caller and freed
/// with <see cref="Release"/>. Secret scalars are loaded with <c>BN_FLG_CONSTTIME</c>, multiplied one at a time
/// (OpenSSL's constant-time single-scalar paths), and cleared when freed.
/// </summary>
internal sealed unsafe class NativeP256Group : IVrfGroup<nint>
{
    private readonly LibCrypto _lib;
    private readonly nint _group;

    [ThreadStatic]
    private static nint t_bnContext;

    public NativeP256Group(LibCrypto lib, Sha256Engine hash)
    {
        _lib = lib;
        Hash = hash;
        _group = lib.EcGroupNewByCurveName(LibCrypto.NidP256);
        if (_group == 0)
        {
            throw new CryptographicException("libcrypto has no P-256 group.");
        }
    }

    public Sha256Engine Hash { get; }

    /// <summary>BN_CTX is scratch memory that must not be shared between threads: one per thread, kept for reuse.</summary>
    private nint Context => t_bnContext != 0 ? t_bnContext : (t_bnContext = _lib.BnCtxNew());

    public bool TryDecompress(ReadOnlySpan<byte> encoded, out nint point)
    {
        point = 0;
        if (encoded.Length != EcVrfP256.PublicKeySize || (encoded[0] != 0x02 && encoded[0] != 0x03))
        {
            return false;
        }

        nint p = NewPoint();
        fixed (byte* bytes = encoded)
        {
            // Rejects x ≥ p and x with no square root (ec_GFp_simple_oct2point).
            if (_lib.EcPointOct2Point(_group, p, bytes, (nuint)encoded.Length, Context) != 1)
            {
                _lib.EcPointFree(p);
                _lib.ErrClearError();
                return false;
            }
        }

        point = p;
        return true;
    }

    public bool TryCompress(nint point, Span<byte> destination)
    {
        if (_lib.EcPointIsAtInfinity(_group, point) == 1)
        {
            return false;
        }

        fixed (byte* output = destination)
        {
            nuint written = _lib.EcPointPoint2Oct(
                _group, point, LibCrypto.PointConversionCompressed, output, EcVrfP256.PublicKeySize, Context);
            return written == EcVrfP256.PublicKeySize;
        }
    }

    public nint MultiplySecret(ReadOnlySpan<byte> scalar, nint point)
    {
        nint k = LoadScalar(scalar, secret: true);
        try
        {
            return Multiply(0, point, k);
        }
        finally
        {
            _lib.BnClearFree(k);
        }
    }

    public nint MultiplyBaseSecret(ReadOnlySpan<byte> scalar)
    {
        nint k = LoadScalar(scalar, secret: true);
        try
        {
            return Multiply(k, 0, 0);
        }
        finally
        {
            _lib.BnClearFree(k);
        }
    }

    public nint MultiplyAddBase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, nint q)
    {
        nint bnA = LoadScalar(a, secret: false);
        nint bnB = LoadScalar(b, secret: false);
        try
        {
            return Multiply(bnA, q, bnB);
        }
        finally
        {
            _lib.BnClearFree(bnA);
            _lib.BnClearFree(bnB);
        }
    }

    public nint MultiplyAdd(ReadOnlySpan<byte> a, nint p, ReadOnlySpan<byte> b, nint q)
    {
        nint bnA = LoadScalar(a, secret: false);
        nint bnB = LoadScalar(b, secret: false);
        nint result = NewPoint();
        try
        {
            nint* points = stackalloc nint[] { p, q };
            nint* scalars = stackalloc nint[] { bnA, bnB };
            if (_lib.EcPointsMul(_group, result, 0, 2, points, scalars, Context) != 1)
            {
                _lib.EcPointFree(result);
                _lib.ErrClearError();
                throw new CryptographicException("EC_POINTs_mul failed.");
            }

            return result;
        }
        finally
        {
            _lib.BnClearFree(bnA);
            _lib.BnClearFree(bnB);
        }
    }

    public void Release(nint point) => _lib.EcPointFree(point);

    private nint Multiply(nint baseScalar, nint point, nint pointScalar)
    {
        nint result = NewPoint();
        if (_lib.EcPointMul(_group, result, baseScalar, point, pointScalar, Context) != 1)
        {
            _lib.EcPointFree(result);
            _lib.ErrClearError();
            throw new CryptographicException("EC_POINT_mul failed.");
        }

        return result;
    }

    private nint NewPoint()
    {
        nint p = _lib.EcPointNew(_group);
        return p != 0 ? p : throw new CryptographicException("EC_POINT_new failed.");
    }

    private nint LoadScalar(ReadOnlySpan<byte> scalar, bool secret)
    {
        nint bn;
        fixed (byte* bytes = scalar)
        {
            bn = _lib.BnBin2Bn(bytes, scalar.Length, 0);
        }

        if (bn == 0)
        {
            throw new CryptographicException("BN_bin2bn failed.");
        }

        if (secret)
        {
            _lib.BnSetFlags(bn, LibCrypto.BnFlagConstTime);
        }

        return bn;
    }
}
