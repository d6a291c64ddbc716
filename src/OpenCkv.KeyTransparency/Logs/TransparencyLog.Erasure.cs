using OpenCkv.KeyTransparency.Logs.Storage;

namespace OpenCkv.KeyTransparency.Logs;

/// <summary>A version whose commitment opening and value were erased: the log can no longer show it.</summary>
public sealed class VersionErasedException(uint version)
    : Exception($"Version {version} of the label was erased: its value can no longer be shown.")
{
    /// <summary>The erased version.</summary>
    public uint Version { get; } = version;
}

public sealed partial class TransparencyLog
{
    /// <summary>
    /// Erases every version of <paramref name="label"/> below its greatest: their commitment openings and values are
    /// deleted from the store for good (architecture draft, "Privacy Law Considerations"). Their search keys and
    /// commitments stay in the trees, so every proof — for this label's greatest version, for other labels, for
    /// monitoring — still verifies; only a search for an erased version is refused (<see cref="VersionErasedException"/>).
    /// The greatest version stays so that the label's current state remains provable.
    /// </summary>
    /// <returns>The number of versions erased by this call.</returns>
    public int EraseHistory(byte[] label)
    {
        ArgumentNullException.ThrowIfNull(label);
        lock (_writeGate)
        {
            ulong size = Size;
            if (HistoryOf(label, create: false) is not { } history || history.VersionsIn(size) is not { Length: > 1 } versions)
            {
                return 0;
            }

            uint[] erase = [.. versions[..^1].Where(v => v.Opening.Length > 0).Select(v => v.Version)];
            if (erase.Length > 0)
            {
                _store.EraseOpenings(history.Label, erase);
            }

            _labels.TryRemove(history.Label, out _); // reloaded from the store without the erased openings
            return erase.Length;
        }
    }
}
