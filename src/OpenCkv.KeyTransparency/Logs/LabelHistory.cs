using OpenCkv.KeyTransparency.Logs.Storage;

namespace OpenCkv.KeyTransparency.Logs;

/// <summary>
/// The operator's cache of one label: its committed versions in order (loaded from the store once), and VRF results
/// computed once — outputs when a version is published (or first looked up as absent), proofs only when a response
/// first needs them. Thread-safe: responses read while a step appends.
/// </summary>
internal sealed class LabelHistory
{
    private readonly List<PublishedVersion> _versions;
    private readonly Dictionary<uint, Hash32> _outputs = [];
    private readonly Dictionary<uint, byte[]> _proofs = [];

    public LabelHistory(byte[] label, IReadOnlyList<PublishedVersion> committed)
    {
        Label = label;
        _versions = [.. committed];
        foreach (PublishedVersion version in committed)
        {
            _outputs[version.Version] = version.VrfOutput;
        }
    }

    public byte[] Label { get; }

    /// <summary>The number of committed versions.</summary>
    public int Count
    {
        get
        {
            lock (_versions)
            {
                return _versions.Count;
            }
        }
    }

    /// <summary>The versions committed in the first <paramref name="size"/> entries.</summary>
    public PublishedVersion[] VersionsIn(ulong size)
    {
        lock (_versions)
        {
            return _versions.Where(v => v.Position < size).ToArray();
        }
    }

    public void Append(PublishedVersion version)
    {
        lock (_versions)
        {
            _versions.Add(version);
        }
    }

    public Hash32 Output(uint version, Func<uint, Hash32> evaluate)
    {
        lock (_outputs)
        {
            if (!_outputs.TryGetValue(version, out Hash32 output))
            {
                output = evaluate(version);
                _outputs[version] = output;
            }

            return output;
        }
    }

    public byte[] Proof(uint version, Func<uint, byte[]> prove)
    {
        lock (_proofs)
        {
            if (!_proofs.TryGetValue(version, out byte[]? proof))
            {
                proof = prove(version);
                _proofs[version] = proof;
            }

            return proof;
        }
    }
}
