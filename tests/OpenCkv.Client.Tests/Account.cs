using System.Security.Cryptography;
using OpenCkv.Client.Records;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Tests;

/// <summary>
/// A contact's account as its own devices would run it, for tests: an account key, a phone, and the handle's
/// records published so far, each built with <see cref="RecordBuilder"/> and signed the way a device signs them.
/// </summary>
internal sealed class Account : IDisposable
{
    public const string Label = "mailto:alice@example.com";

    private readonly List<EcdsaP256PrivateKey> _keys = [];
    private readonly List<DeviceKeys> _devices = [];

    public Account()
    {
        _keys.Add(EcdsaP256PrivateKey.Generate());
        Phone = NewDevice();
        Records.Add(RecordBuilder.First(Label, AccountId, Key, [Entry(Phone)]));
    }

    public byte[] AccountId { get; } = RandomNumberGenerator.GetBytes(HandleRecord.AccountIdSize);

    /// <summary>The current account key.</summary>
    public EcdsaP256PrivateKey Key => _keys[^1];

    public DeviceKeys Phone { get; }

    public List<HandleRecord> Records { get; } = [];

    public HandleRecord Latest => Records[^1];

    public DeviceKeys NewDevice()
    {
        var device = DeviceKeys.Generate();
        _devices.Add(device);
        return device;
    }

    /// <summary>The entry of <paramref name="device"/> under the current account key.</summary>
    public Device Entry(DeviceKeys device) => device.EntryFor(AccountId, Key.PublicKey.Encoded.ToArray());

    /// <summary>The next record, signed by the current key, without publishing it.</summary>
    public HandleRecord Next(CkvState? state = null, IReadOnlyList<Device>? devices = null, ulong? counter = null) =>
        RecordBuilder.Next(Latest, counter ?? Latest.Counter + 1, Key, state, devices);

    /// <summary>Publishes the next record.</summary>
    public HandleRecord Publish(CkvState? state = null, IReadOnlyList<Device>? devices = null)
    {
        HandleRecord next = Next(state, devices);
        Records.Add(next);
        return next;
    }

    /// <summary>
    /// Publishes a record under a fresh account key: cross-signed by the current key (a rotation after a lost
    /// device) or not (an account reset, or a server's forgery). The phone's entry is re-made for the new key.
    /// </summary>
    public HandleRecord ChangeKey(bool crossSigned)
    {
        var next = EcdsaP256PrivateKey.Generate();
        byte[] nextPublic = next.PublicKey.Encoded.ToArray();
        ulong counter = Latest.Counter + 1;
        IReadOnlyList<KeyLink> chain = crossSigned ? [.. Latest.Chain, KeyLink.Create(AccountId, Key, nextPublic, counter)] : [];
        _keys.Add(next);
        HandleRecord record = RecordBuilder.Next(Latest, counter, next, devices: [Entry(Phone)], chain: chain);
        Records.Add(record);
        return record;
    }

    public static byte[] Value(HandleRecord record) => TlsCodec.Encode(record);

    public void Dispose()
    {
        foreach (DeviceKeys device in _devices)
        {
            device.Dispose();
        }

        foreach (EcdsaP256PrivateKey key in _keys)
        {
            key.Dispose();
        }
    }
}
