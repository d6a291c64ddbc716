using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;

namespace OpenCkv.Client.Secrets;

/// <summary>
/// How secrets travel between this process and the Secret Service: the spec's session algorithm
/// <c>dh-ietf1024-sha256-aes128-cbc-pkcs7</c> (section "Transfer of Secrets"). Both sides agree on a key with
/// Diffie-Hellman in the 1024-bit Second Oakley Group (RFC 2409 §6.2), HKDF-SHA-256 with no salt and no info turns
/// it into a 128-bit AES key (RFC 5869), and every secret is AES-CBC with PKCS #7 padding under its own random IV.
/// </summary>
/// <remarks>
/// The "plain" algorithm would do on a bus that only the user's processes reach, but then every key crosses the
/// bus daemon's buffers in clear; this costs one modular exponentiation per connection and keeps them encrypted.
/// It is no defence against a process that can already talk on the user's bus: that one can ask for the secrets.
/// </remarks>
internal sealed class SecretTransport : IDisposable
{
    /// <summary>The algorithm's name as <c>OpenSession</c> takes it.</summary>
    public const string Algorithm = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

    private const int PrimeBytes = 128;
    private const int KeyBytes = 16;
    private const int IvBytes = 16;

    // RFC 2409 §6.2: 2^1024 - 2^960 - 1 + 2^64 * (floor(2^894 pi) + 129093), generator 2.
    private static readonly BigInteger Prime = BigInteger.Parse(
        "00FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
        "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
        NumberStyles.HexNumber,
        CultureInfo.InvariantCulture);

    private static readonly BigInteger Generator = 2;

    private readonly BigInteger _exponent;
    private readonly Aes _aes = Aes.Create();
    private bool _agreed;

    /// <summary>A fresh key pair; <see cref="PublicKey"/> goes to <c>OpenSession</c>.</summary>
    public SecretTransport()
    {
        // An exponent in [2, p-2]: the BigInteger cannot be wiped, but it lives only as long as one connection.
        byte[] random = RandomNumberGenerator.GetBytes(PrimeBytes);
        _exponent = 2 + (new BigInteger(random, isUnsigned: true, isBigEndian: true) % (Prime - 3));
        CryptographicOperations.ZeroMemory(random);
        PublicKey = BigInteger.ModPow(Generator, _exponent, Prime).ToByteArray(isUnsigned: true, isBigEndian: true);
    }

    /// <summary>This side's public value: an unsigned big-endian integer of any length, as the spec sends it.</summary>
    public byte[] PublicKey { get; }

    /// <summary>Derives the AES key from the service's public value (the output of <c>OpenSession</c>).</summary>
    /// <exception cref="SecretStoreUnavailableException">The value is outside 2..p-2, where the agreement would be weak or fixed.</exception>
    public void Agree(ReadOnlySpan<byte> servicePublicKey)
    {
        var peer = new BigInteger(servicePublicKey, isUnsigned: true, isBigEndian: true);
        if (peer <= BigInteger.One || peer >= Prime - 1)
        {
            throw new SecretStoreUnavailableException("The Secret Service answered the key agreement with an invalid public key.");
        }

        // The shared value is padded to the prime's length before HKDF, as the services do.
        BigInteger agreed = BigInteger.ModPow(peer, _exponent, Prime);
        byte[] shared = new byte[PrimeBytes];
        agreed.TryWriteBytes(shared.AsSpan(PrimeBytes - agreed.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        byte[] key = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, KeyBytes, salt: [], info: []);
        CryptographicOperations.ZeroMemory(shared);
        _aes.Key = key;
        CryptographicOperations.ZeroMemory(key);
        _agreed = true;
    }

    /// <summary>A secret for the bus: its IV (the Secret struct's <c>parameters</c>) and its ciphertext (<c>value</c>).</summary>
    public (byte[] Iv, byte[] Ciphertext) Encrypt(ReadOnlySpan<byte> plaintext)
    {
        EnsureAgreed();
        byte[] iv = RandomNumberGenerator.GetBytes(IvBytes);
        return (iv, _aes.EncryptCbc(plaintext, iv, PaddingMode.PKCS7));
    }

    /// <summary>The secret in a Secret struct the service sent.</summary>
    /// <exception cref="SecretStoreUnavailableException">The IV has the wrong length or the ciphertext does not decrypt.</exception>
    public byte[] Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext)
    {
        EnsureAgreed();
        if (iv.Length != IvBytes)
        {
            throw new SecretStoreUnavailableException($"The Secret Service sent a secret with a {iv.Length}-byte IV; the session's algorithm uses {IvBytes}.");
        }

        try
        {
            return _aes.DecryptCbc(ciphertext, iv, PaddingMode.PKCS7);
        }
        catch (CryptographicException e)
        {
            throw new SecretStoreUnavailableException("A secret from the Secret Service did not decrypt under the session key.", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _aes.Dispose();

    private void EnsureAgreed()
    {
        if (!_agreed)
        {
            throw new InvalidOperationException("The session key is not agreed yet.");
        }
    }
}
