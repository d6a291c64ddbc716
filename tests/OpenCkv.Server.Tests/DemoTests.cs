namespace OpenCkv.Server.Tests;

/// <summary>`ckv demo`, the README's main job, as a process.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_walks_every_status_and_ends_with_the_injected_device_caught()
    {
        (int exit, string output, string error) = await ServerProcess.RunCommandAsync("demo");

        Assert.True(exit == 0, error);
        string[] expected =
        [
            "third-party-auditing log",
            "join code",
            "chat details: Turn on Contact Key Verification",
            "blocked: the account: two-factor-off",
            "chat details: Bob — Verification Off",
            "chat details: Bob — Verify Contact",
            "That code has a typo",
            "Alice's tablet › chat details: Bob ✓ Verified",
            "Bob's phone › chat details: Alice ✓ Verified",
            "Bob's laptop: from Alice ✓: Hi Bob",
            "chat details: Bob ⚠ Warning: unknown-device",
            "Nothing was sent",
            "WARNING [unknown-device]",
            "raised no alarm",
        ];
        int at = 0;
        foreach (string line in expected)
        {
            int found = output.IndexOf(line, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{line}' missing (or out of order) in:\n{output}");
            at = found;
        }
    }
}
