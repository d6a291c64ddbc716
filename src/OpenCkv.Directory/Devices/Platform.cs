namespace OpenCkv.Directory.Devices;

/// <summary>The kinds of device the seed lists, each with its own minimum software version.</summary>
public enum Platform
{
    /// <summary>A phone.</summary>
    Phone,

    /// <summary>A tablet.</summary>
    Tablet,

    /// <summary>A watch.</summary>
    Watch,

    /// <summary>A desktop or laptop computer.</summary>
    Desktop,

    /// <summary>A headset.</summary>
    Headset,
}

/// <summary>Platform names as they travel (lower case).</summary>
public static class PlatformNames
{
    /// <summary>The wire name of a platform.</summary>
    public static string Name(Platform platform) => platform.ToString().ToLowerInvariant();

    /// <summary>Parses a wire name; false for anything else.</summary>
    public static bool TryParse(string? name, out Platform platform)
    {
        foreach (Platform candidate in Enum.GetValues<Platform>())
        {
            if (string.Equals(name, Name(candidate), StringComparison.Ordinal))
            {
                platform = candidate;
                return true;
            }
        }

        platform = default;
        return false;
    }
}
