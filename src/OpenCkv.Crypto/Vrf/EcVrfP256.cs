using System.Security.Cryptography;
using OpenCkv.Crypto.Portable;

namespace OpenCkv.Crypto.Vrf;

/// <summary>
/// ECVRF-P256-SHA256-TAI (RFC 9381 §5.5), the VRF of KT_128_SHA256_P256 (KT §17.1): public keys are SEC1
/// compressed points, proofs are Gamma(33) || c(16) || s(32), outputs are 32 bytes. Verification returns false for
/// every malformed or forged input; only misuse by the caller (a bad secret key, a short buffer) throws.
/// </summary>
public sealed class EcVrfP256
{
    /// <summary>Secret key size: a big-endian scalar in [1, q − 1].</summary>
    public const int SecretKeySize = 32;

    /// <summary>Public key size: a SEC1 compressed point.</summary>
    public const int PublicKeySize = 33;

    /// <summary>Proof size (KT: <c>VRF.Np</c>).</summary>
    public const int ProofSize = 81;

    /// <summary>Output size (KT: <c>VRF.Nh</c>).</summary>
    public const int OutputSize = 32;

    private readonly IVrfEngine _engine;

    internal EcVrfP256(IVrfEngine engine, CryptoPath path)
    {
        _engine = engine;
        Path = path;
    }

    internal IVrfEngine Engine => _engine;

    /// <summary>The implementation behind this instance.</summary>
    public CryptoPath Path { get; }

    /// <summary>Generates a fresh key pair from the system's CSPRNG.</summary>
    public VrfKeyPair GenerateKeyPair()
    {
        Span<byte> secret = stackalloc byte[SecretKeySize];
        try
        {
            do
            {
                RandomNumberGenerator.Fill(secret);
            }
            while (!P256Scalar.IsValidNonZero(secret));

            return ImportSecretKey(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Loads a secret key and derives its public key once.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes in [1, q − 1].</exception>
    public VrfKeyPair ImportSecretKey(ReadOnlySpan<byte> secretKey)
    {
        RequireSecretKey(secretKey);
        var publicKey = new byte[PublicKeySize];
        _engine.DerivePublicKey(secretKey, publicKey);
        return new VrfKeyPair(secretKey.ToArray(), publicKey);
    }

    /// <summary>RFC 9381 ECVRF_prove: writes the 81-byte proof for <paramref name="alpha"/>.</summary>
    public void Prove(VrfKeyPair key, ReadOnlySpan<byte> alpha, Span<byte> proof)
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireLength(proof, ProofSize, nameof(proof));
        _engine.Prove(key.SecretKey, key.PublicKey, alpha, proof);
    }

    /// <summary>RFC 9381 ECVRF_prove, allocating the proof.</summary>
    public byte[] Prove(VrfKeyPair key, ReadOnlySpan<byte> alpha)
    {
        var proof = new byte[ProofSize];
        Prove(key, alpha, proof);
        return proof;
    }

    /// <summary>The VRF output for <paramref name="alpha"/> without a proof: one multiplication instead of three.</summary>
    public void Evaluate(VrfKeyPair key, ReadOnlySpan<byte> alpha, Span<byte> output)
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireLength(output, OutputSize, nameof(output));
        _engine.Evaluate(key.SecretKey, key.PublicKey, alpha, output);
    }

    /// <summary>
    /// RFC 9381 ECVRF_verify: true and the 32-byte output when <paramref name="proof"/> is valid for
    /// <paramref name="alpha"/> under <paramref name="publicKey"/>; false for anything else.
    /// </summary>
    public bool TryVerify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof, Span<byte> output)
    {
        RequireLength(output, OutputSize, nameof(output));
        return _engine.Verify(publicKey, alpha, proof, output);
    }

    /// <summary>RFC 9381 ECVRF_proof_to_hash without verification; only for proofs already verified.</summary>
    public void ProofToHash(ReadOnlySpan<byte> proof, Span<byte> output)
    {
        RequireLength(proof, ProofSize, nameof(proof));
        RequireLength(output, OutputSize, nameof(output));
        _engine.ProofToHash(proof[..PublicKeySize], output);
    }

    private static void RequireSecretKey(ReadOnlySpan<byte> secretKey)
    {
        if (!P256Scalar.IsValidNonZero(secretKey))
        {
            throw new ArgumentException("A VRF secret key is 32 big-endian bytes in [1, q − 1].", nameof(secretKey));
        }
    }

    private static void RequireLength(ReadOnlySpan<byte> buffer, int length, string name)
    {
        if (buffer.Length < length)
        {
            throw new ArgumentException($"The buffer must hold at least {length} bytes.", name);
        }
    }
}

/// <summary>A VRF secret key with its public key derived once. Dispose to clear the secret from memory.</summary>
public sealed class VrfKeyPair : IDisposable
{
    private readonly byte[] _secretKey;
    private readonly byte[] _publicKey;

    internal VrfKeyPair(byte[] secretKey, byte[] publicKey)
    {
        _secretKey = secretKey;
        _publicKey = publicKey;
    }

    /// <summary>The SEC1 compressed public key (33 bytes).</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    internal ReadOnlySpan<byte> SecretKey => _secretKey;

    /// <summary>Copies the secret scalar out, for writing it to a key file.</summary>
    public byte[] ExportSecretKey() => (byte[])_secretKey.Clone();

    /// <inheritdoc />
    public void Dispose() => CryptographicOperations.ZeroMemory(_secretKey);
}
