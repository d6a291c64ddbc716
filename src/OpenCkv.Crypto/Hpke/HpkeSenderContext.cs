namespace OpenCkv.Crypto.Hpke;

/// <summary>
/// The sender's side of an HPKE base-mode exchange (RFC 9180 §5.1.1 SetupBaseS): seals messages in order to one
/// recipient, each under the next sequence number, and exports secrets. Not thread-safe.
/// </summary>
public sealed class HpkeSenderContext : IDisposable
{
    private readonly byte[] _enc;

    internal HpkeSenderContext(byte[] enc, EncryptionContext context)
    {
        _enc = enc;
        Context = context;
    }

    /// <summary>The encapsulated key (65 bytes) the recipient needs to set up its side.</summary>
    public ReadOnlySpan<byte> EncapsulatedKey => _enc;

    internal EncryptionContext Context { get; }

    /// <summary>RFC 9180 §5.2: encrypts the next message; returns ciphertext ‖ 16-byte tag.</summary>
    public byte[] Seal(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext) => Context.Seal(aad, plaintext);

    /// <summary>RFC 9180 §5.3: a secret of <paramref name="length"/> bytes (1 to 8160) bound to <paramref name="exporterContext"/>.</summary>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length) => Context.Export(exporterContext, length);

    /// <inheritdoc />
    public void Dispose() => Context.Dispose();
}
