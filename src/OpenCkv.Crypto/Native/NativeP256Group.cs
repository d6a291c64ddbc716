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

    /// <summary>
    /// BN_CTX is scratch memory that must not be shared between threads: one per thread, kept for reuse. It is not
    /// freed when a thread ends (a few kilobytes per thread the process ever ran crypto on).
    /// </summary>
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

    /// <summary>
    /// Decoded VRF public keys, each with a copy of the group whose generator is that key and whose fixed-base
    /// table libcrypto has precomputed, so c·Y in verification costs a table lookup walk instead of a full
    /// multiplication. Kept for the life of the process and only read after creation (libcrypto allows concurrent
    /// reads of an EC_POINT and an EC_GROUP). A log has one VRF key; the bound only stops a flood of keys.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedKey> _publicKeys = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<nint, CachedKey> _cachedPoints = new();
    private readonly Lock _cacheGate = new();
    private const int MaxCachedPublicKeys = 64;

    private sealed record CachedKey(nint Point, nint KeyGroup);

    public bool TryDecompressPublicKey(ReadOnlySpan<byte> encoded, out nint point)
    {
        string id = Convert.ToHexString(encoded);
        if (_publicKeys.TryGetValue(id, out CachedKey? cached))
        {
            point = cached.Point;
            return true;
        }

        if (!TryDecompress(encoded, out point))
        {
            return false;
        }

        lock (_cacheGate)
        {
            if (_publicKeys.TryGetValue(id, out cached))
            {
                // Another thread cached this key meanwhile: use its entry and drop ours.
                _lib.EcPointFree(point);
                point = cached.Point;
                return true;
            }

            nint keyGroup = _publicKeys.Count < MaxCachedPublicKeys ? TryNewGroupWithGenerator(point) : 0;
            if (keyGroup == 0)
            {
                return true; // an ordinary, caller-owned point: the table is only a speed-up
            }

            // Registered as cached before it is published, so a Release by any thread that finds it never frees it.
            var entry = new CachedKey(point, keyGroup);
            _cachedPoints[point] = entry;
            _publicKeys[id] = entry;
            return true;
        }
    }

    /// <summary>A copy of the group with <paramref name="generator"/> as its generator and its table precomputed; 0 on failure.</summary>
    private nint TryNewGroupWithGenerator(nint generator)
    {
        nint keyGroup = _lib.EcGroupDup(_group);
        if (keyGroup != 0 &&
            _lib.EcGroupSetGenerator(keyGroup, generator, _lib.EcGroupGet0Order(_group), _lib.EcGroupGet0Cofactor(_group)) == 1 &&
            _lib.EcGroupPrecomputeMult(keyGroup, Context) == 1)
        {
            return keyGroup;
        }

        _lib.EcGroupFree(keyGroup); // EC_GROUP_free(NULL) is a no-op
        _lib.ErrClearError();
        return 0;
    }

    public bool TryCompress(nint point, Span<byte> destination)
    {
        if (destination.Length < EcVrfP256.PublicKeySize)
        {
            throw new ArgumentException("A compressed point needs 33 bytes.", nameof(destination));
        }

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
        nint bnA = 0, bnB = 0;
        try
        {
            bnA = LoadScalar(a, secret: false);
            bnB = LoadScalar(b, secret: false);
            if (_cachedPoints.TryGetValue(q, out CachedKey? key))
            {
                // a·G from the generator's table plus b·Q from Q's own table, then one addition.
                nint left = Multiply(bnA, 0, 0);
                nint right = _lib.EcPointNew(_group);
                if (right == 0 ||
                    _lib.EcPointMul(key.KeyGroup, right, bnB, 0, 0, Context) != 1 ||
                    _lib.EcPointAdd(_group, left, left, right, Context) != 1)
                {
                    _lib.EcPointFree(left);
                    _lib.EcPointFree(right);
                    _lib.ErrClearError();
                    throw new CryptographicException("EC_POINT_mul with a precomputed key table failed.");
                }

                _lib.EcPointFree(right);
                return left;
            }

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
        nint bnA = 0, bnB = 0;
        try
        {
            bnA = LoadScalar(a, secret: false);
            bnB = LoadScalar(b, secret: false);
            nint result = NewPoint();
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

    public void Release(nint point)
    {
        if (!_cachedPoints.ContainsKey(point))
        {
            _lib.EcPointFree(point);
        }
    }

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
