using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OpenCkv.Crypto.Hpke;

/// <summary>
/// What both sides of an HPKE base-mode exchange hold after the key schedule: the AES-128-GCM key, the base
/// nonce, the exporter secret and the next sequence number. Not thread-safe: one message at a time, in order.
/// </summary>
internal sealed class EncryptionContext : IDisposable
{
    /// <summary>Nk: the AES-128 key size.</summary>
    public const int KeySize = 16;

    /// <summary>Nn: the AES-GCM nonce size.</summary>
    public const int NonceSize = 12;

    /// <summary>Nt: the AES-GCM tag size.</summary>
    public const int TagSize = 16;

    private const byte ModeBase = 0x00;

    private readonly AesGcm _aead;
    private bool _disposed;

    private EncryptionContext(byte[] key, byte[] baseNonce, byte[] exporterSecret)
    {
        Key = key;
        BaseNonce = baseNonce;
        ExporterSecret = exporterSecret;
        _aead = new AesGcm(key, TagSize);
    }

    /// <summary>suite_id = "HPKE" ‖ I2OSP(kem_id, 2) ‖ I2OSP(kdf_id, 2) ‖ I2OSP(aead_id, 2).</summary>
    private static ReadOnlySpan<byte> SuiteId => [(byte)'H', (byte)'P', (byte)'K', (byte)'E', 0x00, 0x10, 0x00, 0x01, 0x00, 0x01];

    /// <summary>The AEAD key (kept for known-answer tests; the cipher holds its own copy).</summary>
    internal byte[] Key { get; }

    internal byte[] BaseNonce { get; }

    internal byte[] ExporterSecret { get; }

    /// <summary>The sequence number of the next message sealed or opened.</summary>
    internal ulong Sequence { get; private set; }

    /// <summary>
    /// RFC 9180 §5.1 KeySchedule in base mode (empty psk and psk_id): key, base nonce and exporter secret from the
    /// KEM shared secret and the application's info.
    /// </summary>
    public static EncryptionContext KeySchedule(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> info)
    {
        byte[] pskIdHash = LabeledHkdf.Extract(SuiteId, [], "psk_id_hash"u8, []);
        byte[] infoHash = LabeledHkdf.Extract(SuiteId, [], "info_hash"u8, info);
        byte[] keyScheduleContext = [ModeBase, .. pskIdHash, .. infoHash];
        byte[] secret = LabeledHkdf.Extract(SuiteId, sharedSecret, "secret"u8, []);
        try
        {
            return new EncryptionContext(
                LabeledHkdf.Expand(SuiteId, secret, "key"u8, keyScheduleContext, KeySize),
                LabeledHkdf.Expand(SuiteId, secret, "base_nonce"u8, keyScheduleContext, NonceSize),
                LabeledHkdf.Expand(SuiteId, secret, "exp"u8, keyScheduleContext, LabeledHkdf.HashSize));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>RFC 9180 §5.2 ComputeNonce: the base nonce XOR the sequence number, big-endian, right-aligned.</summary>
    internal void ComputeNonce(ulong sequence, Span<byte> nonce)
    {
        BaseNonce.CopyTo(nonce);
        Span<byte> tail = nonce[(NonceSize - sizeof(ulong))..];
        BinaryPrimitives.WriteUInt64BigEndian(tail, BinaryPrimitives.ReadUInt64BigEndian(tail) ^ sequence);
    }

    /// <summary>RFC 9180 §5.2 ContextS.Seal: ciphertext ‖ tag under the next nonce, then the sequence number moves on.</summary>
    public byte[] Seal(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> nonce = stackalloc byte[NonceSize];
        ComputeNonce(CheckedSequence(), nonce);
        var ciphertext = new byte[checked(plaintext.Length + TagSize)];
        _aead.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), ciphertext.AsSpan(plaintext.Length), aad);
        Sequence++;
        return ciphertext;
    }

    /// <summary>
    /// RFC 9180 §5.2 ContextR.Open: the plaintext, then the sequence number moves on; on any failure it stays, so
    /// the next message in order can still be opened.
    /// </summary>
    /// <exception cref="HpkeOpenException">Shorter than the tag, or the tag does not verify.</exception>
    public byte[] Open(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (ciphertext.Length < TagSize)
        {
            throw new HpkeOpenException(HpkeOpenFailure.CiphertextTooShort, "An HPKE ciphertext is at least its 16-byte tag.");
        }

        Span<byte> nonce = stackalloc byte[NonceSize];
        ComputeNonce(CheckedSequence(), nonce);
        int length = ciphertext.Length - TagSize;
        var plaintext = new byte[length];
        try
        {
            _aead.Decrypt(nonce, ciphertext[..length], ciphertext[length..], plaintext, aad);
        }
        catch (CryptographicException e)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new HpkeOpenException(HpkeOpenFailure.AuthenticationFailed, "The HPKE ciphertext does not authenticate.", e);
        }

        Sequence++;
        return plaintext;
    }

    /// <summary>RFC 9180 §5.3 Context.Export: <paramref name="length"/> bytes bound to the exporter context.</summary>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, LabeledHkdf.MaxExpandLength);
        return LabeledHkdf.Expand(SuiteId, ExporterSecret, "sec"u8, exporterContext, length);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _aead.Dispose();
        CryptographicOperations.ZeroMemory(Key);
        CryptographicOperations.ZeroMemory(BaseNonce);
        CryptographicOperations.ZeroMemory(ExporterSecret);
    }

    // RFC 9180 §5.2: a context refuses to reuse a nonce. A 64-bit counter stands for the 96-bit one: it would take
    // 2^64 messages to reach the limit, and the last value is refused rather than wrapped.
    private ulong CheckedSequence() => Sequence < ulong.MaxValue
        ? Sequence
        : throw new InvalidOperationException("This HPKE context has sealed or opened its last message.");
}
