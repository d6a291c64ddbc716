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

    public bool TryDecompressPublicKey(ReadOnlySpan<byte> encoded, out nint point) => TryDecompress(encoded, out point);

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

    /// <summary>3q as a 33-byte big-endian integer: k + 3q lies in [3q, 4q) ⊂ [2^257, 2^258) for every k below q.</summary>
    private static readonly byte[] ThreeTimesOrder = Convert.FromHexString(
        "02fffffffd00000002ffffffffffffffff36b4f008f546db8edb2d6048f5296ff3");

    private nint LoadScalar(ReadOnlySpan<byte> scalar, bool secret)
    {
        if (secret)
        {
            return LoadSecretScalar(scalar);
        }

        nint bn;
        fixed (byte* bytes = scalar)
        {
            bn = _lib.BnBin2Bn(bytes, scalar.Length, 0);
        }

        if (bn == 0)
        {
            throw new CryptographicException("BN_bin2bn failed.");
        }

        return bn;
    }

    /// <summary>
    /// Loads k as k + 3q. BN_bin2bn skips leading zero bytes, so loading k itself would take a little less time for
    /// a k with leading zero bytes (the nonce-length leak behind the Minerva attacks). k + 3q always has exactly
    /// 258 bits, so its 33-byte encoding starts with a non-zero byte; OpenSSL reduces it modulo q with its
    /// constant-time division (BN_FLG_CONSTTIME) before multiplying, and k + 3q ≡ k.
    /// </summary>
    private nint LoadSecretScalar(ReadOnlySpan<byte> scalar)
    {
        Span<byte> padded = stackalloc byte[33];
        int carry = 0;
        for (int i = 32; i >= 0; i--)
        {
            int sum = ThreeTimesOrder[i] + (i > 0 ? scalar[i - 1] : 0) + carry;
            padded[i] = (byte)(sum & 0xFF);
            carry = sum >> 8;
        }

        nint bn;
        fixed (byte* bytes = padded)
        {
            bn = _lib.BnBin2Bn(bytes, padded.Length, 0);
        }

        padded.Clear();
        if (bn == 0)
        {
            throw new CryptographicException("BN_bin2bn failed.");
        }

        _lib.BnSetFlags(bn, LibCrypto.BnFlagConstTime);
        return bn;
    }
}
