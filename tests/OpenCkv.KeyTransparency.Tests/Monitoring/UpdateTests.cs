using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tests.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Tests.Monitoring;

/// <summary>
/// Updating a label (KT §9, §13.5): owners who took over their labels at a distinguished entry publish new
/// versions over randomized histories, with quiet stretches longer than the monitoring window (so some new entries
/// are distinguished at once) and versions written by someone else in between; every update verifies, shows the
/// owner exactly the versions it did not write, and leaves the owner's state consistent with the log.
/// </summary>
public sealed class UpdateTests
{
    private sealed class Owner(int label)
    {
        public int Label { get; } = label;

        public OwnerState? State { get; set; }

        public ClientState? Client { get; set; }

        public int Written { get; set; }

        /// <summary>Values someone else wrote since the owner last looked, in order.</summary>
        public List<byte[]> Foreign { get; } = [];
    }

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    [InlineData(43)]
    public void Owners_updates_verify_over_randomized_histories(int seed)
    {
        var random = new Random(seed);
        const ulong window = 1_000;
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: window);
        ulong now = LogFixture.PublishRoundRobin(log, entries: 40, labels: 5, start: 1_000_000, step: 100);
        var owners = Enumerable.Range(0, 8).Select(i => new Owner(i)).ToArray(); // labels 0–4 exist, 5–7 are new
        int updates = 0, othersSeen = 0, distinguishedAtOnce = 0;

        for (int step = 0; step < 250; step++)
        {
            now += random.Next(0, 12) == 0 ? window + (ulong)random.Next(0, 2_000) : (ulong)random.Next(0, 120);
            Owner owner = owners[random.Next(owners.Length)];
            if (owner.State is null)
            {
                (owner.State, owner.Client) = Initialize(log, owner.Client, owner.Label, now);
                continue;
            }

            if (random.Next(0, 6) == 0)
            {
                // Someone else writes a version of this label: the owner's next update must show it.
                byte[] foreign = [0xEE, (byte)step];
                log.Stage(LogFixture.Label(owner.Label), foreign);
                log.Sequence(now);
                owner.Foreign.Add(foreign);
                continue;
            }

            var request = new UpdateRequest(owner.Client?.TreeSize, LogFixture.Label(owner.Label), owner.State.GreatestVersion, [new LabelValue([(byte)owner.Label, (byte)step])]);
            IReadOnlyList<UpdateResponse> responses = log.Update(request, now);
            VerifiedUpdate result = UpdateVerifier.VerifyAll(LogFixture.Suite, log.Configuration, owner.Client, owner.State, request, Decode(responses, log), now);
            // Others' versions: the foreign writes since the owner last looked, after any versions the initial
            // history added right of the owner's start (4-byte values); never one of the owner's own.
            Assert.Equal(owner.Foreign, result.OthersValues.Select(v => v.Value).Where(v => v.Length == 2).ToList());
            Assert.All(result.OthersValues, v => Assert.True(v.Value.Length == 4 || v.Value[0] == 0xEE));
            owner.Foreign.Clear();
            if (result.OthersValues.Count > 0)
            {
                othersSeen++;
            }
            else
            {
                owner.Written++;
                if (result.Owner.Map.Count == owner.State.Map.Count)
                {
                    distinguishedAtOnce++;
                }
            }

            Assert.Equal(log.Search(new SearchRequest(null, LogFixture.Label(owner.Label), null)).Version, result.Owner.GreatestVersion);
            (owner.State, owner.Client) = (result.Owner, result.State);
            updates++;
        }

        Assert.True(updates > 100, $"only {updates} updates");
        Assert.True(othersSeen > 5, $"only {othersSeen} updates showed others' versions");
        Assert.True(distinguishedAtOnce > 0, "no update landed in an entry distinguished at once");
    }

    /// <summary>Takes over a label at the rightmost distinguished entry the log accepts as a start.</summary>
    internal static (OwnerState Owner, ClientState Client) Initialize(TransparencyLog log, ClientState? client, int label, ulong now)
    {
        for (ulong start = log.Size - 1; ; start--)
        {
            var request = new OwnerInitRequest(client?.TreeSize, LogFixture.Label(label), start);
            OwnerInitResponse response;
            try
            {
                response = log.OwnerInit(request);
            }
            catch (ArgumentException)
            {
                continue;
            }

            VerifiedOwnerInit result = OwnerInitVerifier.Verify(LogFixture.Suite, log.Configuration, client, request, response, now);
            return (result.Owner, result.State);
        }
    }

    internal static UpdateResponse[] Decode(IReadOnlyList<UpdateResponse> responses, TransparencyLog log) =>
        responses.Select(r =>
        {
            var writer = new TlsWriter();
            r.Encode(writer, log.Configuration.Mode);
            var reader = new TlsReader(writer.ToArray());
            UpdateResponse decoded = UpdateResponse.Decode(ref reader, log.Configuration.Mode);
            reader.EnsureEnd();
            return decoded;
        }).ToArray();
}
