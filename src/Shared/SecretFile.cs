using System.Security.Cryptography;

namespace OpenCkv.Shared;

/// <summary>
/// A key file written once: created new (never over an existing one), readable and writable by its owner alone on
/// Unix, and the secret's bytes wiped from memory after the write. Compiled into the server and the auditor, which
/// both keep their private keys in files of their data folders.
/// </summary>
internal static class SecretFile
{
    /// <summary>Writes <paramref name="secret"/> to a new file at <paramref name="path"/> and zeroes it.</summary>
    /// <exception cref="IOException">The file exists already, or cannot be written.</exception>
    public static void WriteNew(string path, byte[] secret)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(secret);
        CryptographicOperations.ZeroMemory(secret);
    }
}
