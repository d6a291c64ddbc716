namespace OpenCkv.KeyTransparency.Logs;

/// <summary>One published version of a label: where it went in, its search key, commitment and opening.</summary>
internal sealed record LabelVersion(uint Version, ulong Position, Hash32 VrfOutput, Hash32 Commitment, byte[] Opening, UpdateValue Value);

/// <summary>
/// The operator's record of one label: its versions in order, and VRF results computed once — outputs when a
/// version is published (or first looked up as absent), proofs only when a response first needs them.
/// </summary>
internal sealed class LabelHistory(byte[] label)
{
    private readonly Dictionary<uint, Hash32> _outputs = [];
    private readonly Dictionary<uint, byte[]> _proofs = [];

    public byte[] Label { get; } = label;

    public List<LabelVersion> Versions { get; } = [];

    /// <summary>True when version <paramref name="version"/> existed in the prefix tree of entry <paramref name="position"/>.</summary>
    public bool ExistsAt(uint version, ulong position) => version < Versions.Count && Versions[(int)version].Position <= position;

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
