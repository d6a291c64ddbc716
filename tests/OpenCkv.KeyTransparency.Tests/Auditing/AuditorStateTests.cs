using OpenCkv.KeyTransparency.Auditing;
using OpenCkv.KeyTransparency.Tests.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Tests.Auditing;

/// <summary>
/// The auditor's saved state (<see cref="Auditor.ExportState"/>): an auditor restored from it continues exactly as
/// one that never stopped — same roots, same prefix roots, same refusals — and a truncated or padded state is refused.
/// </summary>
public sealed class AuditorStateTests
{
    [Theory]
    [InlineData(81)]
    [InlineData(82)]
    public void An_auditor_restored_mid_history_follows_the_log_as_the_one_that_never_stopped(int seed)
    {
        var random = new Random(seed);
        var audited = new AuditedLog();
        ulong now = 1_000_000;
        Auditor? restored = null;
        for (int step = 0; step < 200; step++)
        {
            now += (ulong)random.Next(0, 300);
            for (int u = random.Next(0, 4); u > 0; u--)
            {
                audited.Log.Stage(LogFixture.Label(random.Next(0, 30)), [(byte)step]);
            }

            audited.Sequence(now);
            if (step == 80)
            {
                byte[] state = audited.Auditor.ExportState();
                restored = Auditor.Restore(LogFixture.Suite, audited.Configuration, audited.AuditorKey, state);
                Assert.Equal(state, restored.ExportState());
            }
            else if (restored is not null)
            {
                restored.Process(AuditedLog.RoundTrip(audited.Log.AuditorUpdateFor(restored.TreeSize)));
                Assert.Equal((audited.Auditor.TreeSize, audited.Auditor.Root, audited.Auditor.PrefixRoot), (restored.TreeSize, restored.Root, restored.PrefixRoot));
            }
        }

        Assert.NotNull(restored);
        Assert.Equal(audited.Auditor.ExportState(), restored.ExportState());
    }

    [Fact]
    public void A_truncated_or_padded_state_is_refused()
    {
        var audited = new AuditedLog();
        for (int step = 0; step < 12; step++)
        {
            audited.Log.Stage(LogFixture.Label(step), [(byte)step]);
            audited.Sequence(1_000_000 + ((ulong)step * 100));
        }

        byte[] state = audited.Auditor.ExportState();
        for (int length = 0; length < state.Length; length++)
        {
            Assert.Throws<KtFormatException>(() => Auditor.Restore(LogFixture.Suite, audited.Configuration, audited.AuditorKey, state.AsSpan(0, length)));
        }

        Assert.Throws<KtFormatException>(() => Auditor.Restore(LogFixture.Suite, audited.Configuration, audited.AuditorKey, [.. state, 0]));
        byte[] otherFormat = [.. state];
        otherFormat[0] = 2;
        Assert.Throws<KtFormatException>(() => Auditor.Restore(LogFixture.Suite, audited.Configuration, audited.AuditorKey, otherFormat));
    }
}
