import ShelfCLI

ShelfMain.main()
