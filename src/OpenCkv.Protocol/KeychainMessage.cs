using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>
/// What a keychain blob seals (docs/ckv-protocol.md §6.3):
/// <code>
/// struct {
///   uint8 kind;                       // 1 keychain, 2 rotation request, 3 rotation proof
///   select (kind) {
///     case 1: KeychainPayload keychain;
///     case 2: opaque new_account_private_key[32]; opaque lost_device[16];
///     case 3: Device entry;           // the sender's entry, its possession proven for the requested new key
///   };
/// } KeychainMessage;
/// </code>
/// A rotation after a lost device needs every remaining device's possession proof for the new account key (§2.3):
/// the rotating device asks for them with a request and publishes once each remaining device answered.
/// </summary>
public sealed record KeychainMessage : ITlsCodec<KeychainMessage>
{
    private KeychainMessage(byte kind, KeychainPayload? keychain, byte[] newAccountKey, byte[] lostDevice, Device? entry)
    {
        Kind = kind;
        Keychain = keychain;
        NewAccountKey = newAccountKey;
        LostDevice = lostDevice;
        Entry = entry;
    }

    /// <summary>1 keychain, 2 rotation request, 3 rotation proof.</summary>
    public byte Kind { get; }

    /// <summary>Kind 1: the keychain.</summary>
    public KeychainPayload? Keychain { get; }

    /// <summary>Kind 2: the scalar of the account key being rotated to.</summary>
    public byte[] NewAccountKey { get; }

    /// <summary>Kind 2: the device removed as lost.</summary>
    public byte[] LostDevice { get; }

    /// <summary>Kind 3: the answering device's entry for the new key.</summary>
    public Device? Entry { get; }

    /// <summary>Kind 1.</summary>
    public static KeychainMessage Sync(KeychainPayload keychain) => new(1, keychain, [], [], null);

    /// <summary>Kind 2.</summary>
    public static KeychainMessage RotationRequest(byte[] newAccountKey, byte[] lostDevice) => new(2, null, newAccountKey, lostDevice, null);

    /// <summary>Kind 3.</summary>
    public static KeychainMessage RotationProof(Device entry) => new(3, null, [], [], entry);

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt8(Kind);
        switch (Kind)
        {
            case 1:
                Keychain!.Encode(writer);
                break;
            case 2:
                writer.WriteFixed(NewAccountKey, 32);
                writer.WriteFixed(LostDevice, Device.IdSize);
                break;
            default:
                Entry!.Encode(writer);
                break;
        }
    }

    /// <inheritdoc />
    public static KeychainMessage Decode(ref TlsReader reader)
    {
        byte kind = reader.ReadEnum8(static k => k is >= 1 and <= 3, "KeychainMessage.kind");
        return kind switch
        {
            1 => Sync(KeychainPayload.Decode(ref reader)),
            2 => RotationRequest(reader.ReadFixed(32).ToArray(), reader.ReadFixed(Device.IdSize).ToArray()),
            _ => RotationProof(Device.Decode(ref reader)),
        };
    }
}
