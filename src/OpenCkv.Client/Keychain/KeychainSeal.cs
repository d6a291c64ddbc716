using System.Text;
using OpenCkv.Crypto.Hpke;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Keychain;

/// <summary>
/// Sealing and opening keychain blobs (docs/ckv-protocol.md §6.3): HPKE to the recipient device's encryption key
/// under the blob's associated data (account, both devices, version, join transcript), signed by the sender's
/// signing key over the same data and the ciphertext.
/// </summary>
internal static class KeychainSeal
{
    private static readonly byte[] Info = Encoding.ASCII.GetBytes(Contexts.KeychainBlob);

    /// <summary>The join transcript of a blob sent outside a join.</summary>
    public static byte[] NoJoin => new byte[32];

    /// <summary>Seals <paramref name="payload"/> for <paramref name="recipient"/>.</summary>
    public static byte[] Seal(KeychainPayload payload, byte[] accountId, byte[] senderDevice, EcdsaP256PrivateKey senderSigning, Device recipient, ulong version, byte[] transcript) =>
        Seal(KeychainMessage.Sync(payload), accountId, senderDevice, senderSigning, recipient, version, transcript);

    /// <summary>Seals <paramref name="message"/> for <paramref name="recipient"/>.</summary>
    public static byte[] Seal(KeychainMessage message, byte[] accountId, byte[] senderDevice, EcdsaP256PrivateKey senderSigning, Device recipient, ulong version, byte[] transcript)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(senderSigning);
        byte[] aad = SignedEnvelopes.KeychainBlobAssociatedData(accountId, senderDevice, recipient.DeviceId, version, transcript);
        (byte[] enc, byte[] ciphertext) = HpkeP256.Seal(recipient.EncryptionKey, Info, aad, TlsCodec.Encode(message));
        byte[] signature = senderSigning.Sign(SignedEnvelopes.KeychainBlobToBeSigned(aad, [.. enc, .. ciphertext]));
        return TlsCodec.Encode(new SealedBlob(enc, ciphertext, signature));
    }

    /// <summary>
    /// Opens a blob from <paramref name="sender"/> (a device of the account's verified record) to this device, or
    /// null when it does not decode, its signature does not verify under the sender's signing key, or it does not
    /// open under these associated data.
    /// </summary>
    public static KeychainPayload? Open(byte[] body, byte[] accountId, Device sender, byte[] recipientDevice, System.Security.Cryptography.ECDiffieHellman recipientKey, ulong version, byte[] transcript) =>
        OpenMessage(body, accountId, sender, recipientDevice, recipientKey, version, transcript) is { Kind: 1 } message ? message.Keychain : null;

    /// <summary>Opens a blob of any kind (see <see cref="Open"/>), or null.</summary>
    public static KeychainMessage? OpenMessage(byte[] body, byte[] accountId, Device sender, byte[] recipientDevice, System.Security.Cryptography.ECDiffieHellman recipientKey, ulong version, byte[] transcript)
    {
        ArgumentNullException.ThrowIfNull(sender);
        try
        {
            SealedBlob blob = TlsCodec.Decode<SealedBlob>(body);
            byte[] aad = SignedEnvelopes.KeychainBlobAssociatedData(accountId, sender.DeviceId, recipientDevice, version, transcript);
            using EcdsaP256PublicKey signing = EcdsaP256PublicKey.Parse(sender.SigningKey);
            if (!signing.Verify(SignedEnvelopes.KeychainBlobToBeSigned(aad, blob.SignedCiphertext()), blob.Signature) ||
                !HpkeP256.TryOpen(recipientKey, blob.Enc, Info, aad, blob.Ciphertext, out byte[]? plaintext))
            {
                return null;
            }

            return TlsCodec.Decode<KeychainMessage>(plaintext);
        }
        catch (KtFormatException)
        {
            return null;
        }
    }
}
