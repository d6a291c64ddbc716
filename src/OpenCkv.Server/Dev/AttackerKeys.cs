using System.Collections.Concurrent;
using System.Security.Cryptography;
using OpenCkv.Crypto.Hpke;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Server.Dev;

/// <summary>
/// The encryption keys a lying development server made for itself (an injected device, a substituted key, the
/// devices of a swapped account key), kept so that the malicious-server suite can check the one thing that
/// matters: whether any client ever encrypted a message to a key the attacker holds. Every message the relay
/// queues for a device the attacker keyed is opened with the attacker's key, exactly as the attacker would
/// (ckv-protocol §6.1: HPKE bound to both accounts, both devices, the conversation and the counter).
/// </summary>
internal sealed class AttackerKeys : IDisposable
{
    private readonly ConcurrentDictionary<string, (byte[] Account, ECDiffieHellman Key)> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _read = new();

    /// <summary>The texts of the messages the attacker could open so far.</summary>
    public IReadOnlyList<string> ReadTexts => [.. _read];

    /// <summary>
    /// A fresh P-256 encryption key for a device entry the attacker places under <paramref name="device"/> of
    /// <paramref name="account"/>; its public key in SEC1 uncompressed form.
    /// </summary>
    public byte[] NewKeyFor(byte[] account, byte[] device)
    {
        var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        _keys[Convert.ToHexStringLower(device)] = (account, key);
        return HpkeP256.SerializePublicKey(key);
    }

    /// <summary>Tries to open each message queued for a device the attacker keyed; remembers what it could read.</summary>
    public void Inspect(byte[] senderAccount, byte[] senderDevice, IReadOnlyList<(byte[] RecipientDevice, byte[] Body)> messages)
    {
        if (_keys.IsEmpty)
        {
            return;
        }

        foreach ((byte[] recipientDevice, byte[] body) in messages)
        {
            if (!_keys.TryGetValue(Convert.ToHexStringLower(recipientDevice), out (byte[] Account, ECDiffieHellman Key) held) || Wire.TryDecode<SealedMessage>(body) is not { } sealedMessage)
            {
                continue;
            }

            byte[] aad = SignedEnvelopes.MessageAssociatedData(senderAccount, senderDevice, held.Account, recipientDevice, sealedMessage.ConversationId, sealedMessage.Counter);
            if (HpkeP256.TryOpen(held.Key, sealedMessage.Enc, System.Text.Encoding.ASCII.GetBytes(Contexts.Message), aad, sealedMessage.Ciphertext, out byte[]? plaintext))
            {
                _read.Enqueue(TryText(plaintext));
            }
        }
    }

    public void Dispose()
    {
        foreach ((_, ECDiffieHellman key) in _keys.Values)
        {
            key.Dispose();
        }
    }

    private static string TryText(byte[] plaintext)
    {
        try
        {
            MessageContent content = TlsCodec.Decode<MessageContent>(plaintext);
            return content.Kind == MessageContent.TextKind ? System.Text.Encoding.UTF8.GetString(content.Text) : $"(a message of kind {content.Kind})";
        }
        catch (KtFormatException)
        {
            return "(undecodable plaintext)";
        }
    }
}
