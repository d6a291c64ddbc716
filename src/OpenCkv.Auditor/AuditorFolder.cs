using System.Security.Cryptography;
using OpenCkv.Crypto.Signatures;

namespace OpenCkv.Auditor;

/// <summary>
/// An auditor's data folder: its P-256 signing key (<c>auditor.key</c>, owner-only) and public key
/// (<c>auditor.pub</c>, hex), the pinned log configuration (<c>configuration.bin</c>, written on the first run),
/// the database of verified updates and the latest head (<c>auditor.db</c>), and, after an inconsistency, the
/// evidence (<c>alarm.json</c>).
/// </summary>
public static class AuditorFolder
{
    /// <summary>The secret key's file name.</summary>
    public const string KeyFile = "auditor.key";

    /// <summary>The public key's file name (hex, one line).</summary>
    public const string PublicKeyFile = "auditor.pub";

    /// <summary>The pinned configuration's file name (its TLS encoding).</summary>
    public const string ConfigurationFile = "configuration.bin";

    /// <summary>The database's file name.</summary>
    public const string DatabaseFile = "auditor.db";

    /// <summary>The alarm's file name.</summary>
    public const string AlarmFile = "alarm.json";

    /// <summary>Creates a new signing key in <paramref name="folder"/> (created if absent).</summary>
    /// <returns>The public key file's path and the public key in hex (what <c>ckv server init --auditor-key</c> takes).</returns>
    /// <exception cref="InvalidOperationException">The folder already holds a key.</exception>
    public static (string PublicKeyPath, string PublicKeyHex) Create(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (File.Exists(Path.Combine(folder, KeyFile)))
        {
            throw new InvalidOperationException($"{folder} already holds an auditor key; a log names its auditor's key for good.");
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using EcdsaP256PrivateKey key = EcdsaP256PrivateKey.Generate();
        string hex = Convert.ToHexStringLower(key.PublicKey.Encoded);
        OpenCkv.Shared.SecretFile.WriteNew(Path.Combine(folder, KeyFile), key.Export());
        string publicPath = Path.GetFullPath(Path.Combine(folder, PublicKeyFile));
        File.WriteAllText(publicPath, hex + "\n");
        return (publicPath, hex);
    }

    /// <summary>The folder's signing key.</summary>
    /// <exception cref="InvalidOperationException">The folder holds no key.</exception>
    public static EcdsaP256PrivateKey LoadKey(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string path = Path.Combine(folder, KeyFile);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{folder} holds no auditor key: run `ckv auditor init --data {folder}` first.");
        }

        byte[] secret = File.ReadAllBytes(path);
        try
        {
            return EcdsaP256PrivateKey.Import(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
