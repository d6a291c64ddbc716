namespace OpenCkv.Crypto.Hpke;

/// <summary>
/// The recipient's side of an HPKE base-mode exchange (RFC 9180 §5.1.1 SetupBaseR): opens the sender's messages in
/// the order they were sealed, and exports the same secrets as the sender. Not thread-safe.
/// </summary>
public sealed class HpkeRecipientContext : IDisposable
{
    internal HpkeRecipientContext(EncryptionContext context) => Context = context;

    internal EncryptionContext Context { get; }

    /// <summary>
    /// RFC 9180 §5.2: decrypts the next message. A refused message does not use up its sequence number.
    /// </summary>
    /// <exception cref="HpkeOpenException">Shorter than the tag, or the tag does not verify.</exception>
    public byte[] Open(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext) => Context.Open(aad, ciphertext);

    /// <summary>RFC 9180 §5.3: a secret of <paramref name="length"/> bytes (1 to 8160) bound to <paramref name="exporterContext"/>.</summary>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length) => Context.Export(exporterContext, length);

    /// <inheritdoc />
    public void Dispose() => Context.Dispose();
}
