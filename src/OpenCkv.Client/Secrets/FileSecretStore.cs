using System.Text.Json;

namespace OpenCkv.Client.Secrets;

/// <summary>
/// Secrets in one JSON file readable by its owner alone (mode 0600 on Unix). Every change writes a new file
/// beside it, flushes it to disk and renames it over the old one, so a crash leaves either the old secrets or the
/// new ones, never half of each.
/// </summary>
public sealed class FileSecretStore : ISecretStore
{
    private readonly string _path;
    private readonly Lock _lock = new();

    /// <summary>A store in the file at <paramref name="path"/> (created on the first write).</summary>
    public FileSecretStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
    }

    /// <inheritdoc />
    public byte[]? Read(string name)
    {
        lock (_lock)
        {
            return Read().TryGetValue(name, out string? value) ? Convert.FromBase64String(value) : null;
        }
    }

    /// <inheritdoc />
    public void Put(string name, ReadOnlySpan<byte> value)
    {
        lock (_lock)
        {
            Dictionary<string, string> secrets = Read();
            secrets[name] = Convert.ToBase64String(value);
            Write(secrets);
        }
    }

    /// <inheritdoc />
    public void Delete(string name)
    {
        lock (_lock)
        {
            Dictionary<string, string> secrets = Read();
            if (secrets.Remove(name))
            {
                Write(secrets);
            }
        }
    }

    private Dictionary<string, string> Read()
    {
        if (!File.Exists(_path))
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(_path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new UnauthorizedAccessException($"{_path} can be read or written by other users; refusing to use the secrets in it (chmod 600).");
        }

        return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllBytes(_path))
            ?? throw new InvalidDataException($"{_path} holds no secrets object.");
    }

    private void Write(Dictionary<string, string> secrets) =>
        OwnerOnlyFile.Write(_path, stream => JsonSerializer.Serialize(stream, secrets), overwrite: true);
}
