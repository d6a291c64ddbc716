using System.Security.Cryptography;
using OpenCkv.Crypto.Portable;

namespace OpenCkv.Crypto.Vrf;

/// <summary>
/// ECVRF-P256-SHA256-TAI exactly as RFC 9381 specifies it (suite_string 0x01, cLen 16, qLen 32, ptLen 33), written
/// once over <see cref="IVrfGroup{TPoint}"/> so the native and portable paths share every byte-level step.
/// </summary>
internal sealed class EcVrfAlgorithm<TGroup, TPoint> : IVrfEngine
    where TGroup : IVrfGroup<TPoint>
{
    private const byte SuiteString = 0x01;                 // RFC 9381 §5.5: ECVRF-P256-SHA256-TAI
    private const byte EncodeToCurveFront = 0x01;          // §5.4.1.1
    private const byte ChallengeFront = 0x02;              // §5.4.3
    private const byte ProofToHashFront = 0x03;            // §5.2
    private const byte DomainSeparatorBack = 0x00;
    private const int PointSize = EcVrfP256.PublicKeySize; // ptLen
    private const int ChallengeSize = 16;                  // cLen
    private const int ScalarSize = P256Scalar.Size;        // qLen

    private readonly TGroup _group;

    public EcVrfAlgorithm(TGroup group) => _group = group;

    public void DerivePublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKey)
    {
        TPoint y = _group.MultiplyBaseSecret(secretKey);
        try
        {
            if (!_group.TryCompress(y, publicKey))
            {
                throw new CryptographicException("x·B is the identity for a non-zero x below q; the backend is broken.");
            }
        }
        finally
        {
            _group.Release(y);
        }
    }

    /// <summary>RFC 9381 §5.1 ECVRF_prove.</summary>
    public void Prove(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, Span<byte> proof)
    {
        Span<byte> hString = stackalloc byte[PointSize];
        TPoint h = HashToCurve(publicKey, alpha, hString);
        TPoint gamma = default!, u = default!, v = default!;
        Span<byte> k = stackalloc byte[ScalarSize];
        try
        {
            gamma = _group.MultiplySecret(secretKey, h);                      // step 4: Gamma = x·H
            GenerateNonce(secretKey, hString, k);                             // step 5 (§5.4.2.1, RFC 6979 §3.2)
            u = _group.MultiplyBaseSecret(k);                                 // k·B
            v = _group.MultiplySecret(k, h);                                  // k·H

            Span<byte> gammaString = proof[..PointSize];
            Span<byte> uString = stackalloc byte[PointSize];
            Span<byte> vString = stackalloc byte[PointSize];
            if (!_group.TryCompress(gamma, gammaString) || !_group.TryCompress(u, uString) || !_group.TryCompress(v, vString))
            {
                throw new CryptographicException("An ECVRF proving point is the identity; the backend is broken.");
            }

            Span<byte> c = proof.Slice(PointSize, ChallengeSize);
            Challenge(publicKey, hString, gammaString, uString, vString, c);  // step 6

            // step 7: s = (k + c·x) mod q, c as a 32-byte integer.
            Span<byte> cWide = stackalloc byte[ScalarSize];
            cWide.Clear();
            c.CopyTo(cWide[(ScalarSize - ChallengeSize)..]);
            P256Scalar.MultiplyAdd(k, cWide, secretKey, proof.Slice(PointSize + ChallengeSize, ScalarSize));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(k);
            _group.Release(h);
            _group.Release(gamma);
            _group.Release(u);
            _group.Release(v);
        }
    }

    /// <summary>The VRF output alone (Gamma = x·H, then §5.2): what the log needs when it publishes a version.</summary>
    public void Evaluate(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, Span<byte> output)
    {
        Span<byte> hString = stackalloc byte[PointSize];
        TPoint h = HashToCurve(publicKey, alpha, hString);
        TPoint gamma = default!;
        try
        {
            gamma = _group.MultiplySecret(secretKey, h);
            Span<byte> gammaString = stackalloc byte[PointSize];
            if (!_group.TryCompress(gamma, gammaString))
            {
                throw new CryptographicException("x·H is the identity; the backend is broken.");
            }

            ProofToHash(gammaString, output);
        }
        finally
        {
            _group.Release(h);
            _group.Release(gamma);
        }
    }

    /// <summary>RFC 9381 §5.3 ECVRF_verify followed by §5.2 proof_to_hash. Never throws on bad input.</summary>
    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof, Span<byte> output)
    {
        if (publicKey.Length != PointSize || proof.Length != EcVrfP256.ProofSize)
        {
            return false;
        }

        ReadOnlySpan<byte> gammaString = proof[..PointSize];
        ReadOnlySpan<byte> c = proof.Slice(PointSize, ChallengeSize);
        ReadOnlySpan<byte> s = proof.Slice(PointSize + ChallengeSize, ScalarSize);
        if (!P256Scalar.IsReduced(s))
        {
            return false; // §5.4.4 decode_proof: s ≥ q is INVALID
        }

        TPoint y = default!, gamma = default!, h = default!, u = default!, v = default!;
        bool haveY = false, haveGamma = false, haveH = false;
        try
        {
            haveY = _group.TryDecompressPublicKey(publicKey, out y);
            haveGamma = haveY && _group.TryDecompress(gammaString, out gamma);
            if (!haveGamma)
            {
                return false;
            }

            Span<byte> hString = stackalloc byte[PointSize];
            h = HashToCurve(publicKey, alpha, hString);
            haveH = true;

            Span<byte> cWide = stackalloc byte[ScalarSize];
            cWide.Clear();
            c.CopyTo(cWide[(ScalarSize - ChallengeSize)..]);
            Span<byte> negC = stackalloc byte[ScalarSize];
            P256Scalar.Negate(cWide, negC);

            u = _group.MultiplyAddBase(s, negC, y);        // U = s·B − c·Y
            v = _group.MultiplyAdd(s, h, negC, gamma);     // V = s·H − c·Gamma
            Span<byte> uString = stackalloc byte[PointSize];
            Span<byte> vString = stackalloc byte[PointSize];
            if (!_group.TryCompress(u, uString) || !_group.TryCompress(v, vString))
            {
                return false;
            }

            Span<byte> expected = stackalloc byte[ChallengeSize];
            Challenge(publicKey, hString, gammaString, uString, vString, expected);
            if (!CryptographicOperations.FixedTimeEquals(expected, c))
            {
                return false;
            }

            ProofToHash(gammaString, output);
            return true;
        }
        finally
        {
            if (haveY)
            {
                _group.Release(y);
            }

            if (haveGamma)
            {
                _group.Release(gamma);
            }

            if (haveH)
            {
                _group.Release(h);
                _group.Release(u);
                _group.Release(v);
            }
        }
    }

    /// <summary>The intermediate values of §5.1 (H, k, U = k·B, V = k·H), for the known-answer tests.</summary>
    public VrfIntermediates Trace(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha)
    {
        var result = new VrfIntermediates(new byte[PointSize], new byte[ScalarSize], new byte[PointSize], new byte[PointSize]);
        TPoint h = HashToCurve(publicKey, alpha, result.H);
        GenerateNonce(secretKey, result.H, result.K);
        TPoint u = _group.MultiplyBaseSecret(result.K);
        TPoint v = _group.MultiplySecret(result.K, h);
        _ = _group.TryCompress(u, result.U) && _group.TryCompress(v, result.V);
        _group.Release(h);
        _group.Release(u);
        _group.Release(v);
        return result;
    }

    /// <summary>§5.2: beta = Hash(suite_string || 0x03 || point_to_string(cofactor·Gamma) || 0x00); cofactor is 1.</summary>
    public void ProofToHash(ReadOnlySpan<byte> gammaString, Span<byte> output)
    {
        Span<byte> input = stackalloc byte[2 + PointSize + 1];
        input[0] = SuiteString;
        input[1] = ProofToHashFront;
        gammaString.CopyTo(input[2..]);
        input[^1] = DomainSeparatorBack;
        _group.Hash.Hash(input, output);
    }

    /// <summary>
    /// §5.4.1.1 ECVRF_encode_to_curve_try_and_increment with salt = PK_string: hash
    /// suite_string || 0x01 || PK_string || alpha || ctr || 0x00 and read 0x02 || digest as a compressed point
    /// (§5.5 interpret_hash_value_as_a_point), for ctr = 0, 1, … until that is a point.
    /// </summary>
    public TPoint HashToCurve(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, Span<byte> hString)
    {
        int length = 2 + PointSize + alpha.Length + 2;
        byte[]? rented = length > 512 ? new byte[length] : null;
        Span<byte> input = rented ?? stackalloc byte[length];
        input[0] = SuiteString;
        input[1] = EncodeToCurveFront;
        publicKey.CopyTo(input[2..]);
        alpha.CopyTo(input[(2 + PointSize)..]);
        input[^1] = DomainSeparatorBack;

        hString[0] = 0x02;
        for (int ctr = 0; ctr < 256; ctr++)
        {
            input[^2] = (byte)ctr;
            _group.Hash.Hash(input, hString[1..]);
            if (_group.TryDecompress(hString, out TPoint h))
            {
                return h;
            }
        }

        // Each try succeeds with probability about 1/2: 256 failures happen with probability 2^-256.
        throw new CryptographicException("ECVRF encode_to_curve found no point in 256 tries.");
    }

    /// <summary>§5.4.3: the first cLen bytes of Hash(suite_string || 0x02 || Y || H || Gamma || U || V || 0x00).</summary>
    private void Challenge(
        ReadOnlySpan<byte> y, ReadOnlySpan<byte> h, ReadOnlySpan<byte> gamma, ReadOnlySpan<byte> u, ReadOnlySpan<byte> v, Span<byte> c)
    {
        Span<byte> input = stackalloc byte[2 + (5 * PointSize) + 1];
        input[0] = SuiteString;
        input[1] = ChallengeFront;
        y.CopyTo(input[2..]);
        h.CopyTo(input[(2 + PointSize)..]);
        gamma.CopyTo(input[(2 + (2 * PointSize))..]);
        u.CopyTo(input[(2 + (3 * PointSize))..]);
        v.CopyTo(input[(2 + (4 * PointSize))..]);
        input[^1] = DomainSeparatorBack;
        Span<byte> digest = stackalloc byte[32];
        _group.Hash.Hash(input, digest);
        digest[..ChallengeSize].CopyTo(c);
    }

    /// <summary>
    /// §5.4.2.1: RFC 6979 §3.2 deterministic nonce with SHA-256, m = h_string. qlen = hlen = 256, so bits2int is the
    /// plain big-endian reading and one HMAC block fills T.
    /// </summary>
    private static void GenerateNonce(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> hString, Span<byte> k)
    {
        Span<byte> h1 = stackalloc byte[32];
        SHA256.HashData(hString, h1);
        P256Scalar.Reduce(h1, h1);                      // bits2octets(h1)

        Span<byte> v = stackalloc byte[32];
        Span<byte> key = stackalloc byte[32];
        Span<byte> buffer = stackalloc byte[32 + 1 + 32 + 32];
        v.Fill(0x01);                                    // step b
        key.Clear();                                     // step c
        try
        {
            for (byte separator = 0x00; separator <= 0x01; separator++) // steps d–g
            {
                v.CopyTo(buffer);
                buffer[32] = separator;
                secretKey.CopyTo(buffer[33..]);
                h1.CopyTo(buffer[65..]);
                HMACSHA256.HashData(key, buffer, key);
                HMACSHA256.HashData(key, v, v);
            }

            while (true)                                 // step h
            {
                HMACSHA256.HashData(key, v, v);
                if (P256Scalar.IsValidNonZero(v))
                {
                    v.CopyTo(k);
                    return;
                }

                v.CopyTo(buffer);
                buffer[32] = 0x00;
                HMACSHA256.HashData(key, buffer[..33], key);
                HMACSHA256.HashData(key, v, v);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(v);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(buffer);
        }
    }
}

/// <summary>What <see cref="EcVrfP256"/> needs from a backend-specialised algorithm.</summary>
internal interface IVrfEngine
{
    void DerivePublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKey);

    void Prove(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, Span<byte> proof);

    void Evaluate(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, Span<byte> output);

    bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof, Span<byte> output);

    void ProofToHash(ReadOnlySpan<byte> gammaString, Span<byte> output);

    VrfIntermediates Trace(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha);
}

/// <summary>ECVRF proving intermediates: H, the nonce k, U = k·B and V = k·H.</summary>
internal sealed record VrfIntermediates(byte[] H, byte[] K, byte[] U, byte[] V);
