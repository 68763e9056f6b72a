from trilat.cli import main

main()
