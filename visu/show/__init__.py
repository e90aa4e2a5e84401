"""The graphs and where they go (docs/running.md; docs/tensorboard.md for --logdir).

graphs.py       the graphs, in one table: name, title, key, kind of drawing, its settings; what
                the figure, the record, the keys, --graphs, --help, the window title, the
                TensorBoard log and the docs' table of the keys read
drawings.py     each kind of graph's drawing, registered once under its kind: curves, bands,
                mosaic, learned; and what the TensorBoard log keeps of it
figure.py       the figure: the table's graphs laid out, drawn from a record (drawing only)
mosaic.py       graphs 3 and 6: the digit mosaics, computed in the TensorFlow graph
learned.py      what the network learned, read from its session when shown: the first layer's
                weights, one digit's passage through the layers (key W)
learned_panel.py  ... drawn: the weights as pictures, each layer's output, the probabilities
outputs.py      the outputs behind one interface (Output): the window, the notebook's image,
                ipympl's widget, the PNG, the movie
tensorboard.py  --logdir: the run as TensorBoard event files, an Output too
backends.py     the figures they draw on: a window (Qt's diagnosed, else Tk's), off-screen, ipympl's
choose.py       the one place that chooses the view, from the options and where the script runs
"""
