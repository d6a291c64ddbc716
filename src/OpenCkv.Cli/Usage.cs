namespace OpenCkv.Cli;

internal static class Usage
{
    public static int Print(TextWriter output, int exitCode)
    {
        output.WriteLine("usage: ckv <command>");
        output.WriteLine();
        output.WriteLine("  demo                 a development server on loopback with its auditor, two people through contact key");
        output.WriteLine("                       verification, then the server slips in a device of its own and the warning catches it");
        output.WriteLine();
        output.WriteLine("device commands (--profile NAME or CKV_PROFILE, under CKV_HOME; --json prints one JSON object):");
        output.WriteLine("  device register --server URL --handle HANDLE --name NAME --platform phone|tablet|watch|desktop|headset");
        output.WriteLine("                  --os-version V [--no-passcode] [--no-keychain] [--code CODE] [--log-config SHA256]");
        output.WriteLine("  device join --server URL --handle HANDLE --name NAME --platform … --os-version V [--code CODE] [--totp CODE]");
        output.WriteLine("              [--no-passcode] [--no-keychain] [--log-config SHA256] [--timeout SECONDS]");
        output.WriteLine("  device approve [REQUEST-ID] [--yes|--no] [--timeout SECONDS]");
        output.WriteLine("  device signout [DEVICE-ID] [--lost] [--timeout SECONDS]");
        output.WriteLine("                --lost: not in hand; rotates the account key (cross-signed) once the other devices proved it");
        output.WriteLine("  device list | device update [--os-version V] [--passcode on|off] [--keychain on|off]");
        output.WriteLine("  account reset --server URL --handle HANDLE --name NAME --platform … --os-version V [--code CODE] [--totp CODE]");
        output.WriteLine("                every device lost: this new device starts a new circle and account key");
        output.WriteLine("  account 2fa enable | account 2fa confirm CODE | account 2fa disable CODE");
        output.WriteLine("  verification on | off | status");
        output.WriteLine("  sync | monitor [--watch]");
        output.WriteLine("  code show [--qr] | code copy");
        output.WriteLine("  contacts add NAME HANDLE | contacts list | contacts set-code NAME CODE");
        output.WriteLine("  chat details NAME");
        output.WriteLine("  verify NAME [--yes|--no] [--timeout SECONDS]   both people at once: compare the code, mark as verified");
        output.WriteLine("  send NAME TEXT | inbox");
        output.WriteLine("  alerts [--ack ID]");
        output.WriteLine("  web [--urls URL]     the device screens in a browser, one tab per profile (/p/NAME), and the log");
        output.WriteLine("                       explorer; loopback only (default http://127.0.0.1:5080)");
        output.WriteLine();
        output.WriteLine("operator commands:");
        output.WriteLine("  selfcheck [--json]   check the KT_128_SHA256_P256 suite on every crypto path of this machine");
        output.WriteLine("                       against the RFC 9381 known answers, and time it");
        output.WriteLine("  server init --data DIR [--auditor-key HEX|FILE] [--max-lifetime-days N]");
        output.WriteLine("              [--max-ahead-s N] [--max-behind-s N] [--max-auditor-lag-s N] [--monitoring-window-s N]");
        output.WriteLine("                       create a log: signing and VRF keys with a signing high-water mark,");
        output.WriteLine("                       the fixed configuration (time limits default to 60 s ahead, a day");
        output.WriteLine("                       behind, 300 s of auditor lag, a 3,600 s monitoring window) and the");
        output.WriteLine("                       database; print its fingerprint");
        output.WriteLine("  server check --data DIR");
        output.WriteLine("                       check that a log folder's keys, configuration and database belong together");
        output.WriteLine("  server --data DIR [--postgres CONNSTRING] [--urls URL] [--dev] [--batch-ms N] [--max-batch N] [--heartbeat-s N]");
        output.WriteLine("         [--searches-per-minute N] [--sensitive-per-minute N] [--signed-per-minute N]");
        output.WriteLine("                       serve the directory and its log (an empty DIR gets a new contact-monitoring");
        output.WriteLine("                       log); --dev writes one-time codes to the console and serves /dev/codes,");
        output.WriteLine("                       /dev/clock and /dev/misbehave (docs/threat-model.md)");
        output.WriteLine("         with --postgres also [--lease-s N] [--replica-poll-ms N] [--advertise URL]: servers sharing one");
        output.WriteLine("                       database are read replicas but one, which holds the sequencer lease");
        output.WriteLine("  server handover --data OLD_DIR --to NEW_DIR");
        output.WriteLine("                       sign the move of the log in OLD_DIR to the log in NEW_DIR (server stopped);");
        output.WriteLine("                       OLD_DIR's server then serves the statement and takes no more changes");
        output.WriteLine("  server admin --data DIR managed HANDLE on|off");
        output.WriteLine("                       mark the account holding HANDLE as managed (CKV not offered) or not");
        output.WriteLine("  server admin --data DIR [--postgres CONNSTRING] erase HANDLE");
        output.WriteLine("                       erase the values of a removed handle's earlier versions (servers stopped)");
        output.WriteLine("  server admin --data DIR [--postgres CONNSTRING] prune");
        output.WriteLine("                       delete the values of versions expired under the maximum lifetime (servers stopped)");
        output.WriteLine("  auditor init --data DIR");
        output.WriteLine("                       create a third-party auditor's signing key; print its public key for");
        output.WriteLine("                       ckv server init --auditor-key");
        output.WriteLine("  auditor --server URL --data DIR [--urls URL] [--poll-ms N]");
        output.WriteLine("                       audit a third-party-auditing log (KT §15.2): verify every AuditorUpdate,");
        output.WriteLine("                       hand it signed heads, serve /v1/head and /health; ALARM on an inconsistency");
        output.WriteLine("  --version            print the version and the pinned KEYTRANS draft revision");
        return exitCode;
    }

    public static int Version()
    {
        Console.WriteLine($"ckv {typeof(Usage).Assembly.GetName().Version} ({OpenCkv.KeyTransparency.KtDraft.ProtocolRevision})");
        return 0;
    }
}
