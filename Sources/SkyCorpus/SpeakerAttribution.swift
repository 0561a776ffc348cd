/// Finds who speaks a line by reading the game's scripts: speech is started by engine
/// functions called as `f(speaker id, text number, animation)`. Only statically certain
/// cases are used; a text with two different answers gets none.
///
/// Rules (engine facts: function numbers are positions in the original's mcode table, as
/// listed by ScummVM's engines/sky/logic.cpp; variable 12 is CUR_ID, the compact running
/// the script):
/// 1. Speaker pushed as a constant compact id -> that compact's name from sky.cpt.
/// 2. fnSpeakMeDir(CUR_ID, ...) -> "foster": the engine only uses it for the player.
/// 3. Texts offered as dialogue choices with fnAskThis(text, ...) -> "foster": the chosen
///    line is then spoken by the player.
/// 4. Speaker CUR_ID in a script that is an object's action script (run by the player
///    when he uses the object) -> "foster"; in a script that is the base script of
///    exactly one compact -> that compact.
/// Lines spoken by "whoever the player is talking to" (a variable) stay unattributed.
public enum SpeakerAttribution {
    public static let firstModuleFile = 60_400
    public static let moduleCount = 7
    public static let player = "foster"

    static let fnSpeakMe = 35, fnSpeakMeDir = 36, fnSpeakWait = 37, fnSpeakWaitDir = 38
    static let fnAskThis = 70
    static let currentIdVariable = 12

    /// Scans all script modules in `archive`; `texts` limits the result to known lines.
    public static func speakers(archive: DiskArchive, compacts: CompactTable, texts: Set<Int>? = nil) throws -> SpeakerTable {
        let modules = try (0..<moduleCount).map { m in
            try ScriptModule(number: m, bytes: archive.loadFile(UInt16(firstModuleFile + m)))
        }
        return speakers(modules: modules, compacts: compacts, texts: texts)
    }

    public static func speakers(modules: [ScriptModule], compacts: CompactTable, texts: Set<Int>? = nil) -> SpeakerTable {
        let roles = scriptRoles(compacts)
        var candidates: [Int: Set<String?>] = [:]
        func note(_ text: Int, _ speaker: String?) {
            guard texts?.contains(text) ?? true else { return }
            candidates[text, default: []].insert(speaker)
        }
        for module in modules {
            for (script, code) in module.scripts {
                let role = roles[script]
                for (i, instruction) in code.enumerated() {
                    guard let call = instruction.call else { continue }
                    if [fnSpeakMe, fnSpeakMeDir, fnSpeakWait, fnSpeakWaitDir].contains(call.function),
                       call.argumentCount == 3, i >= 3, let text = code[i - 2].number {
                        let who = code[i - 3]
                        if let id = who.number {
                            note(text, compacts.name(id))
                        } else if who.variable == currentIdVariable {
                            if call.function == fnSpeakMeDir { note(text, player) } else { note(text, role?.runner) }
                        } else {
                            note(text, nil)
                        }
                    } else if call.function == fnAskThis, call.argumentCount == 2, i >= 2, let text = code[i - 2].number {
                        note(text, player)
                    }
                }
            }
        }
        var names: [Int: String] = [:]
        for (text, options) in candidates where options.count == 1 {
            if let only = options.first, let name = only { names[text] = name }
        }
        return SpeakerTable(names: names)
    }

    /// Who runs each script that objects refer to: the player for action scripts, the
    /// object itself for its base script (when no other object shares it).
    struct Role { let runner: String? }

    static func scriptRoles(_ compacts: CompactTable) -> [Int: Role] {
        var action = Set<Int>()
        var base: [Int: Set<String>] = [:]
        for c in compacts.compacts.values where c.type == CompactTable.objectType {
            if c.words.count > CompactTable.actionScriptWord, c.words[CompactTable.actionScriptWord] != 0 {
                action.insert(Int(c.words[CompactTable.actionScriptWord]))
            }
            if c.words.count > CompactTable.baseScriptWord, c.words[CompactTable.baseScriptWord] != 0 {
                base[Int(c.words[CompactTable.baseScriptWord]), default: []].insert(c.name)
            }
        }
        var roles: [Int: Role] = [:]
        for script in action.union(base.keys) {
            let owners = base[script] ?? []
            switch (action.contains(script), owners.count) {
            case (true, 0): roles[script] = Role(runner: player)
            case (false, 1): roles[script] = Role(runner: owners.first)
            default: roles[script] = Role(runner: nil)  // ambiguous
            }
        }
        return roles
    }
}
