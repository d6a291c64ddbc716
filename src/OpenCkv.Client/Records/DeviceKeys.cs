using System.Security.Cryptography;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Records;

/// <summary>
/// A device's three key pairs (docs/ckv-protocol.md §2.3): message signing, message encryption (the HPKE
/// recipient key) and request authentication — separate, so a leaked request key cannot sign messages.
/// </summary>
public sealed class DeviceKeys : IDisposable
{
    private DeviceKeys(byte[] deviceId, EcdsaP256PrivateKey signing, ECDiffieHellman encryption, EcdsaP256PrivateKey request)
    {
        DeviceId = deviceId;
        Signing = signing;
        Encryption = encryption;
        Request = request;
    }

    /// <summary>The device's id: 16 random bytes.</summary>
    public byte[] DeviceId { get; }

    /// <summary>The message-signing key.</summary>
    public EcdsaP256PrivateKey Signing { get; }

    /// <summary>The HPKE recipient key.</summary>
    public ECDiffieHellman Encryption { get; }

    /// <summary>The request-authentication key.</summary>
    public EcdsaP256PrivateKey Request { get; }

    /// <summary>The encryption key's public point, SEC1 uncompressed.</summary>
    public byte[] EncryptionPublicKey
    {
        get
        {
            ECParameters parameters = Encryption.ExportParameters(includePrivateParameters: false);
            return [0x04, .. parameters.Q.X!, .. parameters.Q.Y!];
        }
    }

    /// <summary>Fresh keys and a fresh id.</summary>
    public static DeviceKeys Generate() => new(
        RandomNumberGenerator.GetBytes(Device.IdSize),
        EcdsaP256PrivateKey.Generate(),
        ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256),
        EcdsaP256PrivateKey.Generate());

    /// <summary>The device's keys as secrets to store: each private key (P-256 scalars; the encryption key as PKCS #8).</summary>
    public (byte[] Signing, byte[] Encryption, byte[] Request) ExportSecrets() =>
        (Signing.Export(), Encryption.ExportPkcs8PrivateKey(), Request.Export());

    /// <summary>The keys <see cref="ExportSecrets"/> wrote, under the device's id.</summary>
    public static DeviceKeys Import(byte[] deviceId, byte[] signing, byte[] encryption, byte[] request)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        if (deviceId.Length != Device.IdSize)
        {
            throw new ArgumentException($"a device id is {Device.IdSize} bytes", nameof(deviceId));
        }

        var dh = ECDiffieHellman.Create();
        try
        {
            dh.ImportPkcs8PrivateKey(encryption, out _);
            if (dh.KeySize != 256)
            {
                throw new CryptographicException("the encryption key is not a P-256 key");
            }

            return new DeviceKeys(deviceId, EcdsaP256PrivateKey.Import(signing), dh, EcdsaP256PrivateKey.Import(request));
        }
        catch
        {
            dh.Dispose();
            throw;
        }
    }

    /// <summary>The device's entry in a record of <paramref name="accountId"/> under <paramref name="accountKey"/>, with its possession proof.</summary>
    public Device EntryFor(byte[] accountId, byte[] accountKey) =>
        Device.Create(accountId, accountKey, DeviceId, Signing, EncryptionPublicKey, Request.PublicKey.Encoded.ToArray());

    /// <inheritdoc />
    public void Dispose()
    {
        Signing.Dispose();
        Encryption.Dispose();
        Request.Dispose();
    }
}
