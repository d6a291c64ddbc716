using System.Security.Cryptography;
using System.Text;

namespace OpenCkv.Client.Secrets;

/// <summary>
/// The file <c>secret-store</c> in a profile folder that records that the profile's secrets live in the Secret
/// Service, and under which profile id: one line <c>secret-service ID</c>. Recorded once, when the profile's store
/// is chosen, so the profile keeps that store whatever the session looks like later. The id is random rather than
/// the folder's path, so a moved folder still finds its secrets. It is no secret itself.
/// </summary>
internal static class SecretStoreMarker
{
    public const string FileName = "secret-store";
    private const string Kind = "secret-service";

    /// <summary>The recorded profile id, or null when the folder records none.</summary>
    /// <exception cref="InvalidDataException">The file is there but not one line of the expected form.</exception>
    public static string? Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        string[] words = File.ReadAllText(path, Encoding.UTF8).Trim().Split(' ');
        if (words is not [Kind, { Length: 32 } id] || !id.All(char.IsAsciiHexDigitLower))
        {
            throw new InvalidDataException($"{path} does not name this profile's secret store (expected \"{Kind} <32 hex digits>\").");
        }

        return id;
    }

    /// <summary>Records a new random profile id in <paramref name="folder"/> (created if missing) and returns it.</summary>
    public static string Write(string folder)
    {
        Directory.CreateDirectory(folder);
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        OwnerOnlyFile.Write(Path.Combine(folder, FileName), stream => stream.Write(Encoding.UTF8.GetBytes($"{Kind} {id}\n")), overwrite: false);
        return id;
    }
}
