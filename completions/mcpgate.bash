# bash completion for mcpgate                                -*- shell-script -*-
#
# Install (see 'mcpgate completion --help'):
#   source <(mcpgate completion bash)
#   mcpgate completion bash > ~/.local/share/bash-completion/completions/mcpgate
#
# Server and project names come from 'mcpgate __complete servers|projects',
# which reads the config the command line names (--config), or the usual
# one, and starts nothing.  Tool names are not completed: listing them
# means starting the server.

_mcpgate_commands="serve stdio servers tools search describe call run resources read prompts prompt keys calls
    client-config completion init add remove enable disable catalog connect help version"
_mcpgate_clients="claude-code cursor vscode windsurf codex opencode gemini"

# The options of each command (the shared ones of serve, stdio and the
# commands that start servers are in _mcpgate_run).  Global: bash-completion
# sources this file inside a function.
_mcpgate_run="-c --config --demo --conformance --max-message --log-level --state-dir -h --help"
_mcpgate_state="-c --config --state-dir -h --help"
declare -gA _mcpgate_opts=(
    [serve]="$_mcpgate_run --listen --auth --allow-origin --session-idle --sse-poll --watch"
    [stdio]="$_mcpgate_run --watch"
    [servers]="$_mcpgate_run --gateway --json"
    [tools]="$_mcpgate_run --gateway --json"
    [search]="$_mcpgate_run --gateway --json --limit --server"
    [describe]="$_mcpgate_run --gateway --json"
    [call]="$_mcpgate_run --gateway --json --args-json --save-dir --elicit"
    [resources]="$_mcpgate_run --gateway --json"
    [read]="$_mcpgate_run --gateway --json --save-dir"
    [prompts]="$_mcpgate_run --gateway --json"
    [prompt]="$_mcpgate_run --gateway --json --args-json --save-dir"
    [calls]="$_mcpgate_state --tool --server --project --status --errors --since --limit --slowest --stats --json"
    [client-config]="--url --project --name --key-env --no-key -c --config -h --help"
    [keys-create]="$_mcpgate_state --name --project --default --scope --json"
    [keys-list]="$_mcpgate_state --all --json"
    [keys-revoke]="$_mcpgate_state"
    [init]="-c --config --force -h --help"
    [add]="--url --header --transport --env --cwd --include --exclude --timeout --description --disabled -c --config -h --help"
    [catalog]="--json -h --help"
    [connect]="--name -c --config -h --help"
)
# Options that take a value: the word after one is not an argument.
_mcpgate_valued=" -c --config --max-message --log-level --state-dir --listen --auth --allow-origin --session-idle
    --sse-poll --limit --server --args-json --save-dir --tool --project --status --since --url --name --key-env
    --default --scope --gateway --elicit --header --transport --env --cwd --include --exclude --timeout
    --description "

# Names from the config the command line reads.
_mcpgate_names() { # servers|projects|catalog
    local cfg=() i
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == -c || ${COMP_WORDS[i]} == --config ]]; then
            cfg=(--config "${COMP_WORDS[i + 1]/#\~/$HOME}")
        fi
    done
    "${COMP_WORDS[0]/#\~/$HOME}" __complete "$1" "${cfg[@]}" 2>/dev/null
}

# How many arguments (not options, not their values) come before the
# word being completed, from word FIRST on.
_mcpgate_args_before() { # FIRST
    local i n=0
    for ((i = $1; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == -* ]]; then
            [[ $_mcpgate_valued == *" ${COMP_WORDS[i]} "* ]] && ((i++))
        else
            ((n++))
        fi
    done
    echo "$n"
}

_mcpgate_reply() { # WORDS...
    mapfile -t COMPREPLY < <(compgen -W "$*" -- "$cur")
}

_mcpgate_files() { # -f or -d
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen "$1" -- "$cur")
}

# The value of the option PREV, when it takes one; 1 when it does not.
_mcpgate_value() {
    case $prev in
    -c | --config) _mcpgate_files -f ;;
    --state-dir | --save-dir) _mcpgate_files -d ;;
    --log-level) _mcpgate_reply debug info warn error none ;;
    --auth) _mcpgate_reply auto required ;;
    --scope) _mcpgate_reply read write ;;
    --transport) _mcpgate_reply auto streamable-http sse ;;
    --cwd) _mcpgate_files -d ;;
    --elicit) _mcpgate_reply ask defaults decline ;;
    --status) _mcpgate_reply ok tool_error error cancelled ;;
    --server) _mcpgate_reply "$(_mcpgate_names servers)" ;;
    --project | --default) _mcpgate_reply "$(_mcpgate_names projects)" ;;
    *)
        [[ $_mcpgate_valued == *" $prev "* ]] || return 1
        COMPREPLY=()
        ;;
    esac
    return 0
}

_mcpgate() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local cmd=${COMP_WORDS[1]} key args
    COMPREPLY=()

    if ((COMP_CWORD == 1)); then
        _mcpgate_reply $_mcpgate_commands --help --version
        return
    fi
    _mcpgate_value && return
    key=$cmd
    [[ $cmd == run ]] && key=call
    if [[ $cmd == keys ]]; then
        if ((COMP_CWORD == 2)); then
            _mcpgate_reply create list revoke --help
            return
        fi
        key=keys-${COMP_WORDS[2]}
    fi
    args=$(_mcpgate_args_before 2)
    if [[ $cur == -* ]]; then
        # After SERVER, call's options are the tool's parameters.
        [[ $key == call ]] && ((args > 0)) && return
        _mcpgate_reply ${_mcpgate_opts[$key]:--c --config -h --help}
        return
    fi
    case $cmd in
    completion) ((args == 0)) && _mcpgate_reply bash zsh ;;
    catalog) ((args == 0)) && _mcpgate_reply search ;;
    connect) ((args == 0)) && _mcpgate_reply "$(_mcpgate_names catalog)" ;;
    client-config) ((args == 0)) && _mcpgate_reply $_mcpgate_clients ;;
    tools | describe | call | run | resources | read | prompts | prompt | remove | enable | disable)
        ((args == 0)) && _mcpgate_reply "$(_mcpgate_names servers)"
        ;;
    esac
}

complete -F _mcpgate mcpgate
